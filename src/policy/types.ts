/**
 * Public types of the policy pack (jsii-friendly: enums and interfaces only, no unions or `any`).
 */

/** How bad a finding is. Only unacknowledged ERROR findings fail synthesis. */
export enum PolicySeverity {
  /** Fails synthesis unless acknowledged with a reason. */
  ERROR = 'error',
  /** Reported, never fails synthesis. */
  WARNING = 'warning',
}

/** What a rule reads. */
export enum PolicyTarget {
  /** Kubernetes documents (`dist/k8s/<env>/*.yaml`, generated charts). */
  KUBERNETES = 'kubernetes',
  /** Terraform stack JSON (`cdktf.out/stacks/<stack>/cdk.tf.json`). */
  TERRAFORM = 'terraform',
  /** Generated CI workflows (`dist/workflows/*.yml`). */
  WORKFLOW = 'workflow',
  /** Any output text (every file above, plus charts and other files). */
  TEXT = 'text',
}

/** The outcome of one rule over one input. */
export enum PolicyRuleStatus {
  /** The rule found something to check and nothing wrong. */
  PASSED = 'passed',
  /** At least one finding is not acknowledged. */
  FAILED = 'failed',
  /** Every finding is acknowledged (with a recorded reason). */
  ACKNOWLEDGED = 'acknowledged',
  /** Nothing in the input is what the rule checks (e.g. no CronJob yet). */
  NOT_APPLICABLE = 'not-applicable',
}

/** Where a rule comes from in a public benchmark or checker. */
export interface PolicyReference {
  /** The checker or benchmark: `PSS`, `CIS Kubernetes`, `NSA/CISA`, `kube-score`, `Polaris`, `kubesec`, `Checkov`, `Vault hardening`, ... */
  readonly source: string;
  /** Its id or section there, e.g. `5.2.5`, `CKV_K8S_20`, `container-security-context-privileged`. */
  readonly id: string;
}

/** What a rule checks (the policy table in docs/policies.md). */
export interface PolicyRuleInfo {
  /** Stable id from the security catalogue (`K01`…`K45`, `V01`…`V14`, `B03`, …). */
  readonly id: string;
  /** Severity of every finding of the rule. */
  readonly severity: PolicySeverity;
  /** One line: what the rule demands. */
  readonly title: string;
  /** Why, in a sentence or two. */
  readonly description: string;
  /** What the rule reads. */
  readonly targets: PolicyTarget[];
  /** The same demand in public checkers and benchmarks. */
  readonly references: PolicyReference[];
}

/**
 * An accepted finding. A reason is required and recorded in the report; an unknown rule id is an error.
 */
export interface Acknowledgement {
  /** The rule id, e.g. `K20`. */
  readonly ruleId: string;
  /** Why the finding is accepted; recorded in `dist/policy-report.json`. */
  readonly reason: string;
  /**
   * The resource it applies to: an exact resource path as in the finding (`prod/CronJob/prod-acme/backup-acme`,
   * `inopsio/prod/Vault/AuditFile`) or a pattern where `*` stands for any characters.
   * @default - every finding of the rule
   */
  readonly resource?: string;
}

/** One violation of one rule by one resource. */
export interface PolicyFinding {
  /** The rule id. */
  readonly ruleId: string;
  /** The rule's severity. */
  readonly severity: PolicySeverity;
  /**
   * The resource: `<env>/<Kind>/<namespace>/<name>` for Kubernetes documents (`-` for no namespace), the construct path
   * for Terraform resources, `<file>#jobs.<job>` for workflow jobs, the file for text.
   */
  readonly resource: string;
  /** The output file it was found in, relative to the output root where known. */
  readonly file: string;
  /** The field, e.g. `spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation`. */
  readonly field: string;
  /** What is wrong. */
  readonly problem: string;
  /** The offending value, rendered (secrets are redacted). */
  readonly got: string;
  /** How to fix it. */
  readonly fix: string;
  /** The whole message, `<resource>: <field> <problem> (got <value>); <fix> (<rule id>)`. */
  readonly message: string;
  /**
   * The reason of the acknowledgement that accepts this finding.
   * @default - not acknowledged
   */
  readonly acknowledgedReason?: string;
}

/** A rule in a report: what it checks and how it did. */
export interface PolicyRuleResult extends PolicyRuleInfo {
  /** The outcome. */
  readonly status: PolicyRuleStatus;
  /** Resources (or groups of resources) the rule looked at. */
  readonly checked: number;
  /** Findings, acknowledged ones included. */
  readonly findings: number;
  /** Findings accepted by an acknowledgement. */
  readonly acknowledgedFindings: number;
}

/** An acknowledgement as recorded in a report. */
export interface AcknowledgementRecord {
  /** The rule id. */
  readonly ruleId: string;
  /** The recorded reason. */
  readonly reason: string;
  /**
   * The resource or pattern.
   * @default - every finding of the rule
   */
  readonly resource?: string;
  /** Findings it accepted; 0 means it is stale and can be removed. */
  readonly matched: number;
}

/** Counts over a report. */
export interface PolicyReportSummary {
  /** Rules evaluated. */
  readonly rules: number;
  /** Rules that passed. */
  readonly passed: number;
  /** Rules with unacknowledged findings. */
  readonly failed: number;
  /** Rules whose findings are all acknowledged. */
  readonly acknowledged: number;
  /** Rules with nothing to check. */
  readonly notApplicable: number;
  /** Unacknowledged ERROR findings: synthesis fails if this is not 0. */
  readonly errors: number;
  /** Unacknowledged WARNING findings. */
  readonly warnings: number;
  /** Acknowledged findings. */
  readonly acknowledgedFindings: number;
}

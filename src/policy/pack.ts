import * as fs from 'fs';
import * as path from 'path';
import { contentsOf } from './contents';
import { computeTenantPolicyFragment, FragmentOutcome, PER_TENANT_RULES, renderViolation, TenantOutputFile, TenantPolicyFragment } from './fragment';
import { PolicyInput } from './input';
import { collect } from './parity';
import { PolicyContext, PolicyRule } from './rule';
import { APPROVAL_RULES } from './rules/approvals';
import { BACKUP_RULES } from './rules/backup';
import { HELM_RULES } from './rules/helm';
import { ISOLATION_RULES } from './rules/isolation';
import { JOB_RULES } from './rules/jobs';
import { NAMESPACE_RULES } from './rules/namespace';
import { NETWORK_RULES } from './rules/network';
import { OUTPUT_RULES } from './rules/output';
import { podRules } from './rules/pod';
import { RBAC_RULES } from './rules/rbac';
import { SECRET_RULES, secretScanRule } from './rules/secrets';
import { TERRAFORM_RULES } from './rules/terraform';
import { VAULT_RULES } from './rules/vault';
import { WIRING_RULES } from './rules/wiring';
import { CI_WIRING_RULES } from './rules/wiring-ci';
import { METRIC_WIRING_RULES } from './rules/wiring-metrics';
import { QUOTA_WIRING_RULES } from './rules/wiring-quota';
import { VAULT_WIRING_RULES } from './rules/wiring-vault';
import { WORKFLOW_RULES } from './rules/workflow';
import { WORKFLOW_CONCURRENCY_RULES } from './rules/workflow-concurrency';
import { WORKFLOW_GATE_RULES } from './rules/workflow-gates';
import {
  Acknowledgement, AcknowledgementRecord, PolicyFinding, PolicyReportSummary, PolicyRuleInfo, PolicyRuleResult,
  PolicyRuleStatus, PolicySeverity,
} from './types';
import { formatProblem, LifecycleValidationError, show } from '../model/problems';
import { OutputLayout } from '../output/layout';

/** Options of the default policy pack. */
export interface PolicyPackOptions {
  /**
   * Registries images may come from (K30), as `host` or `host:port`.
   * @default - any explicit registry (the digest is still required)
   */
  readonly allowedRegistries?: string[];
  /**
   * The UID and GID every container (and injected Vault agent) runs as (K25).
   * @default 10001
   */
  readonly runAsId?: number;
  /**
   * Regular expressions (JavaScript source) of values the secret scan (B13) accepts as safe.
   * @default - the built-in allow-list only (templates, references, digests, paths)
   */
  readonly secretAllowPatterns?: string[];
}

/** Sort key of rule ids: B, K, T, V families, then numerically (`K05` before `K12`). */
function ruleOrder(a: string, b: string): number {
  const pa = /^([A-Z]+)(\d+)(.*)$/.exec(a);
  const pb = /^([A-Z]+)(\d+)(.*)$/.exec(b);
  if (!pa || !pb) return a < b ? -1 : a > b ? 1 : 0;
  if (pa[1] !== pb[1]) return pa[1] < pb[1] ? -1 : 1;
  if (Number(pa[2]) !== Number(pb[2])) return Number(pa[2]) - Number(pb[2]);
  return pa[3] < pb[3] ? -1 : pa[3] > pb[3] ? 1 : 0;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A glob where `*` stands for any characters, anchored. */
function resourcePattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(p => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function info(r: PolicyRuleInfo): PolicyRuleInfo {
  return {
    id: r.id,
    severity: r.severity,
    title: r.title,
    description: r.description,
    targets: [...r.targets],
    references: r.references.map(x => ({ source: x.source, id: x.id })),
  };
}

/**
 * The organisation's rules over synthesized output (the K, V, B, T and W ids of docs/policies.md; T: what Terraform reads), cdk-nag style: each
 * rule a small pure function with a stable id, a severity, a message and references to public checkers.
 *
 * `evaluate()` runs every rule and returns a deterministic `PolicyReport`. Findings can be accepted only by an
 * `Acknowledgement` with a non-empty reason, which the report records.
 */
export class PolicyPack {
  /** Every rule of the catalogue that applies to what this library generates. */
  public static default(options: PolicyPackOptions = {}): PolicyPack {
    return new PolicyPack(options);
  }

  private readonly ruleList: PolicyRule[];

  private constructor(options: PolicyPackOptions) {
    const runAsId = options.runAsId ?? 10001;
    if (!Number.isInteger(runAsId) || runAsId < 1000) {
      throw new LifecycleValidationError([formatProblem({ path: 'PolicyPack', field: 'runAsId', problem: 'is not a whole number of at least 1000', got: runAsId, fix: 'use a high, fixed UID such as 10001' })]);
    }
    const problems: string[] = [];
    (options.secretAllowPatterns ?? []).forEach((p, i) => {
      try {
        new RegExp(p);
      } catch {
        problems.push(formatProblem({ path: 'PolicyPack', field: `secretAllowPatterns[${i}]`, problem: 'is not a regular expression', got: p, fix: 'write a JavaScript regular expression source, e.g. "^example-[a-z]+$"' }));
      }
    });
    if (problems.length > 0) throw new LifecycleValidationError(problems);
    this.ruleList = [
      ...NAMESPACE_RULES,
      ...NETWORK_RULES,
      ...ISOLATION_RULES,
      ...RBAC_RULES,
      ...podRules({ allowedRegistries: [...(options.allowedRegistries ?? [])], runAsId }),
      ...JOB_RULES,
      ...SECRET_RULES,
      ...BACKUP_RULES,
      ...VAULT_RULES,
      ...WORKFLOW_RULES,
      ...WORKFLOW_GATE_RULES,
      ...WORKFLOW_CONCURRENCY_RULES,
      ...APPROVAL_RULES,
      ...WIRING_RULES,
      ...CI_WIRING_RULES,
      ...VAULT_WIRING_RULES,
      ...METRIC_WIRING_RULES,
      ...QUOTA_WIRING_RULES,
      ...HELM_RULES,
      ...TERRAFORM_RULES,
      ...OUTPUT_RULES,
      secretScanRule({ allowPatterns: options.secretAllowPatterns }),
    ].sort((a, b) => ruleOrder(a.id, b.id));
  }

  /** The rules, sorted by id. */
  public get rules(): PolicyRuleInfo[] {
    return this.ruleList.map(info);
  }

  /** The rule ids, sorted. */
  public get ruleIds(): string[] {
    return this.ruleList.map(r => r.id);
  }

  /**
   * Run every rule over `input`. Throws (listing every problem) if an acknowledgement names an unknown rule or has
   * no reason. Never throws for findings: call `report.assertNoErrors()` (or `assertPolicyCompliance`) for that.
   */
  public evaluate(input: PolicyInput, acknowledgements: Acknowledgement[] = []): PolicyReport {
    this.checkAcknowledgements(acknowledgements);
    const contents = contentsOf(input);
    const ctx = new PolicyContext(contents);
    const acks = acknowledgements.map(a => ({ ack: a, pattern: a.resource === undefined ? undefined : resourcePattern(a.resource), matched: 0 }));
    const results: PolicyRuleResult[] = [];
    const findings: PolicyFinding[] = [];
    for (const r of this.ruleList) {
      const here = r.evaluate(ctx);
      // A per-tenant rule also counts what it found in the tenants the input holds as fragments (src/policy/fragment.ts).
      const fromFragments = contents.fragments.flatMap(f => f.outcomes.filter(o => o.ruleId === r.id));
      const outcome = {
        checked: fromFragments.reduce((sum, o) => sum + o.checked, here.checked),
        violations: [...here.violations.map(v => ({ ...v, got: show(v.got) })), ...fromFragments.flatMap(o => o.violations)],
      };
      let acknowledgedFindings = 0;
      const own: PolicyFinding[] = [];
      for (const v of outcome.violations) {
        const got = v.got;
        const message = `${v.resource}: ${v.field} ${v.problem} (got ${got}); ${v.fix} (${r.id})`;
        const ack = acks.find(a => a.ack.ruleId === r.id && (a.pattern === undefined || a.pattern.test(v.resource)));
        if (ack) {
          ack.matched++;
          acknowledgedFindings++;
        }
        own.push({
          ruleId: r.id,
          severity: r.severity,
          resource: v.resource,
          file: v.file,
          field: v.field,
          problem: v.problem,
          got,
          fix: v.fix,
          message,
          ...(ack ? { acknowledgedReason: ack.ack.reason.trim() } : {}),
        });
      }
      // Identical findings (the same resource reported twice by one rule) collapse into one.
      const unique = [...new Map(own.map(f => [f.message, f])).values()];
      findings.push(...unique);
      const status = outcome.violations.length === 0
        ? (outcome.checked === 0 ? PolicyRuleStatus.NOT_APPLICABLE : PolicyRuleStatus.PASSED)
        : (acknowledgedFindings === outcome.violations.length ? PolicyRuleStatus.ACKNOWLEDGED : PolicyRuleStatus.FAILED);
      const acked = unique.filter(f => f.acknowledgedReason !== undefined).length;
      results.push({ ...info(r), status, checked: outcome.checked, findings: unique.length, acknowledgedFindings: acked });
    }
    findings.sort((a, b) => ruleOrder(a.ruleId, b.ruleId) || compare(a.resource, b.resource)
      || compare(a.field, b.field) || compare(a.message, b.message));
    const acknowledged: AcknowledgementRecord[] = acks
      .map(a => ({
        ruleId: a.ack.ruleId,
        reason: a.ack.reason.trim(),
        ...(a.ack.resource !== undefined ? { resource: a.ack.resource } : {}),
        matched: a.matched,
      }))
      .sort((a, b) => ruleOrder(a.ruleId, b.ruleId) || compare(a.resource ?? '', b.resource ?? '') || compare(a.reason, b.reason));
    return new PolicyReport(results, findings, acknowledged);
  }

  /**
   * @internal The fragment of one (environment, tenant)'s output files (src/policy/fragment.ts): the per-tenant rules
   * run over them, their parity keys normalized with `parityTenants` (every tenant id of the environment; none when
   * the environment is not compared), and the documents reduced to what the rules across tenants read.
   */
  public _tenantFragment(environment: string, tenant: string, files: TenantOutputFile[], parityTenants?: string[]): TenantPolicyFragment {
    return computeTenantPolicyFragment({
      newInput: () => new PolicyInput(),
      evaluatePerTenant: input => this.evaluatePerTenant(input),
      paritySide: (input, env, tenants) => collect(contentsOf(input).kubernetes, [], env, tenants),
    }, environment, tenant, files, parityTenants);
  }

  /** The per-tenant rules over an input, violations rendered as the report renders them. */
  private evaluatePerTenant(input: PolicyInput): FragmentOutcome[] {
    const ctx = new PolicyContext(contentsOf(input));
    return this.ruleList.filter(r => PER_TENANT_RULES.includes(r.id)).map(r => {
      const outcome = r.evaluate(ctx);
      return { ruleId: r.id, checked: outcome.checked, violations: outcome.violations.map(renderViolation) };
    });
  }

  private checkAcknowledgements(acks: Acknowledgement[]): void {
    const known = new Set(this.ruleIds);
    const problems: string[] = [];
    const add = (field: string, problem: string, got: unknown, fix: string) => problems.push(formatProblem({ path: 'PolicyPack.evaluate', field, problem, got, fix }));
    if (!Array.isArray(acks)) {
      add('acknowledgements', 'is not a list', acks, 'pass a list of { ruleId, reason, resource? }');
    } else {
      acks.forEach((a, i) => {
        if (!known.has(a?.ruleId)) add(`acknowledgements[${i}].ruleId`, 'is not a rule of the pack', a?.ruleId, `use one of ${this.ruleIds.join(', ')}`);
        if (typeof a?.reason !== 'string' || a.reason.trim() === '') add(`acknowledgements[${i}].reason`, 'is empty', a?.reason, 'say why the finding is accepted; the reason is recorded in the policy report');
        if (a?.resource !== undefined && (typeof a.resource !== 'string' || a.resource.trim() === '')) add(`acknowledgements[${i}].resource`, 'is empty', a.resource, 'name the resource as in the finding, or leave it out for every finding of the rule');
      });
    }
    if (problems.length > 0) throw new LifecycleValidationError(problems);
  }
}

/** The result of a policy evaluation: every rule with its status, the findings and the acknowledgements used. */
export class PolicyReport {
  /** The file name `write()` writes into its directory. */
  public static readonly FILE_NAME = OutputLayout.POLICY_REPORT_FILE_NAME;

  /** Every rule evaluated, sorted by id. */
  public readonly rules: PolicyRuleResult[];
  /** Every finding, acknowledged ones included, sorted by rule, resource and field. */
  public readonly findings: PolicyFinding[];
  /** The acknowledgements given, with their reasons and how many findings each accepted. */
  public readonly acknowledged: AcknowledgementRecord[];
  /** Counts. */
  public readonly summary: PolicyReportSummary;

  /** Created by `PolicyPack.evaluate`. */
  constructor(rules: PolicyRuleResult[], findings: PolicyFinding[], acknowledged: AcknowledgementRecord[]) {
    this.rules = rules;
    this.findings = findings;
    this.acknowledged = acknowledged;
    const open = findings.filter(f => f.acknowledgedReason === undefined);
    this.summary = {
      rules: rules.length,
      passed: rules.filter(r => r.status === PolicyRuleStatus.PASSED).length,
      failed: rules.filter(r => r.status === PolicyRuleStatus.FAILED).length,
      acknowledged: rules.filter(r => r.status === PolicyRuleStatus.ACKNOWLEDGED).length,
      notApplicable: rules.filter(r => r.status === PolicyRuleStatus.NOT_APPLICABLE).length,
      errors: open.filter(f => f.severity === PolicySeverity.ERROR).length,
      warnings: open.filter(f => f.severity === PolicySeverity.WARNING).length,
      acknowledgedFindings: findings.length - open.length,
    };
  }

  /** Unacknowledged ERROR findings: synthesis fails if there is any. */
  public get errors(): PolicyFinding[] {
    return this.findings.filter(f => f.severity === PolicySeverity.ERROR && f.acknowledgedReason === undefined);
  }

  /** Unacknowledged WARNING findings. */
  public get warnings(): PolicyFinding[] {
    return this.findings.filter(f => f.severity === PolicySeverity.WARNING && f.acknowledgedReason === undefined);
  }

  /** The report as JSON: stable key order, sorted lists, no timestamps, so identical output gives identical bytes. */
  public toJson(): string {
    const doc = {
      format: 'inopsio-policy-report/v1',
      summary: this.summary,
      rules: this.rules.map(r => ({
        id: r.id,
        severity: r.severity,
        status: r.status,
        title: r.title,
        description: r.description,
        targets: r.targets,
        references: r.references,
        checked: r.checked,
        findings: r.findings,
        acknowledgedFindings: r.acknowledgedFindings,
      })),
      findings: this.findings.map(f => ({
        ruleId: f.ruleId,
        severity: f.severity,
        resource: f.resource,
        file: f.file,
        field: f.field,
        problem: f.problem,
        got: f.got,
        fix: f.fix,
        message: f.message,
        ...(f.acknowledgedReason !== undefined ? { acknowledgedReason: f.acknowledgedReason } : {}),
      })),
      acknowledged: this.acknowledged.map(a => ({
        ruleId: a.ruleId,
        ...(a.resource !== undefined ? { resource: a.resource } : {}),
        reason: a.reason,
        matched: a.matched,
      })),
    };
    return `${JSON.stringify(doc, null, 2)}\n`;
  }

  /** Write `<directory>/policy-report.json`; returns the file path. */
  public write(directory: string): string {
    fs.mkdirSync(directory, { recursive: true });
    const file = path.join(directory, PolicyReport.FILE_NAME);
    fs.writeFileSync(file, this.toJson());
    return file;
  }

  /**
   * Throw one error listing every unacknowledged ERROR finding, one per line, as
   * `<resource>: <field> <problem> (got <value>); <fix> (<rule id>)`.
   */
  public assertNoErrors(): void {
    const errors = this.errors;
    if (errors.length > 0) throw new LifecycleValidationError(errors.map(f => f.message));
  }
}

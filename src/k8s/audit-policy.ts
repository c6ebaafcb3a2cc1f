import { Yaml } from 'cdk8s';
import { Environment } from '../model/environment';
import { Problems } from '../model/problems';

/** Props of an ApiServerAuditPolicy. */
export interface ApiServerAuditPolicyProps {
  /** The environments served by the cluster; the namespaces of their tenants are the tenant namespaces. */
  readonly environments: Environment[];
  /**
   * Further namespaces whose writes are logged with request and response bodies (platform namespaces such as `argocd`).
   * @default - none
   */
  readonly additionalNamespaces?: string[];
  /**
   * Where the API server writes the audit log (spec §7: /var/log/audit/k8s).
   * @default '/var/log/audit/k8s/audit.log'
   */
  readonly logPath?: string;
  /**
   * Where the policy file is mounted on the control plane.
   * @default '/etc/kubernetes/audit/policy.yaml'
   */
  readonly policyPath?: string;
}

/** Resources whose bodies hold credentials: logged at Metadata level everywhere, before any other rule. */
export const SECRET_RESOURCES = [
  { group: '', resources: ['secrets', 'serviceaccounts/token'] },
  { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
  { group: 'authorization.k8s.io', resources: ['subjectaccessreviews', 'selfsubjectaccessreviews', 'localsubjectaccessreviews'] },
  { group: 'certificates.k8s.io', resources: ['certificatesigningrequests'] },
];

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_VERBS = ['get', 'list', 'watch'];

/**
 * The Kubernetes API server audit policy (`audit.k8s.io/v1` `Policy`), spec §7 "K8s cluster RBAC — audit evidence
 * /var/log/audit/k8s", retained 90 days (ISO 27001 A.8.15).
 *
 * This is a control-plane file, not an API object: write `toYaml()` to `policyPath` on every API server and start it
 * with `apiServerFlags()`. Rules are matched in order (first match wins):
 *
 * 1. Secrets, service account tokens, token and access reviews, CSRs: `Metadata` only — their bodies are never logged.
 * 2. Noisy read-only system traffic: `None` (health and metrics endpoints, nodes and control-plane components
 *    reading, kube-proxy watching endpoints, leader-election leases, events).
 * 3. Writes in tenant namespaces (and `additionalNamespaces`): `RequestResponse` — who changed what, with the change.
 * 4. Everything else: `Metadata`.
 */
export class ApiServerAuditPolicy {
  /** The tenant namespaces whose writes are logged with bodies, sorted. */
  public readonly namespaces: string[];
  /** Days the log is kept: the longest `auditRetentionDays` of the environments (at least 90). */
  public readonly retentionDays: number;
  /** Audit log path. */
  public readonly logPath: string;
  /** Policy file path. */
  public readonly policyPath: string;

  constructor(props: ApiServerAuditPolicyProps) {
    const problems = new Problems('ApiServerAuditPolicy');
    const envs = props.environments ?? [];
    if (!Array.isArray(envs) || envs.length === 0) problems.add('environments', 'is empty', envs, 'pass the environments served by the cluster');
    const extra = props.additionalNamespaces ?? [];
    extra.forEach((ns, i) => {
      if (typeof ns !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63) problems.add(`additionalNamespaces[${i}]`, 'is not a namespace name', ns, 'use a DNS-1123 label');
    });
    const logPath = props.logPath ?? '/var/log/audit/k8s/audit.log';
    const policyPath = props.policyPath ?? '/etc/kubernetes/audit/policy.yaml';
    for (const [field, value] of [['logPath', logPath], ['policyPath', policyPath]] as const) {
      if (typeof value !== 'string' || !value.startsWith('/') || /\s/.test(value)) problems.add(field, 'is not an absolute path', value, 'use e.g. /var/log/audit/k8s/audit.log');
    }
    problems.throwIfAny();
    const set = new Set<string>(extra);
    for (const env of envs) for (const t of env.tenants) set.add(env.namespaceFor(t.id));
    this.namespaces = [...set].sort();
    this.retentionDays = Math.max(90, ...envs.map(e => e.environmentClass.auditRetentionDays));
    this.logPath = logPath;
    this.policyPath = policyPath;
  }

  /** The policy as JSON text. */
  public toJsonString(): string {
    return `${JSON.stringify(this.document(), null, 2)}\n`;
  }

  private document(): { apiVersion: string; kind: string; omitStages: string[]; rules: object[] } {
    const rules: object[] = [
      { level: 'Metadata', resources: SECRET_RESOURCES.map(r => ({ group: r.group, resources: [...r.resources] })) },
      { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version', '/metrics', '/openapi/*'] },
      { level: 'None', users: ['system:kube-proxy'], verbs: ['watch'], resources: [{ group: '', resources: ['endpoints', 'services', 'services/status'] }, { group: 'discovery.k8s.io', resources: ['endpointslices'] }] },
      { level: 'None', userGroups: ['system:nodes'], verbs: READ_VERBS },
      { level: 'None', users: ['system:kube-scheduler', 'system:kube-controller-manager', 'system:apiserver'], verbs: READ_VERBS },
      { level: 'None', resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }] },
      { level: 'None', resources: [{ group: '', resources: ['events'] }, { group: 'events.k8s.io', resources: ['events'] }] },
    ];
    if (this.namespaces.length > 0) {
      rules.push({ level: 'RequestResponse', verbs: WRITE_VERBS, namespaces: [...this.namespaces] });
    }
    rules.push({ level: 'Metadata' });
    return { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['RequestReceived'], rules };
  }

  /** The policy file (YAML), deterministic. */
  public toYaml(): string {
    return Yaml.stringify(this.document());
  }

  /** kube-apiserver flags that load the policy and keep the log 90 days (spec §7, ISO 27001 A.8.15). */
  public apiServerFlags(): string[] {
    return [
      `--audit-policy-file=${this.policyPath}`,
      `--audit-log-path=${this.logPath}`,
      `--audit-log-maxage=${this.retentionDays}`,
      // 0: no limit on the number of files, so age alone (maxage) decides what is deleted.
      '--audit-log-maxbackup=0',
      '--audit-log-maxsize=200',
      '--audit-log-compress=true',
    ];
  }
}

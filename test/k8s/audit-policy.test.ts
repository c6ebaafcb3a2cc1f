import * as YAML from 'yaml';
import { ApiServerAuditPolicy, SECRET_RESOURCES } from '../../src/k8s/audit-policy';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { LifecycleValidationError } from '../../src/model/problems';

const tenants = [{ id: 'acme' }, { id: 'globex' }];
const staging = new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, tenants });
const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants });

/** The level the API server applies to a request: the first rule that matches (audit.k8s.io/v1 semantics). */
interface AuditRequest { user: string; groups?: string[]; verb: string; group?: string; resource?: string; namespace?: string; url?: string }

function levelOf(policy: any, req: AuditRequest): string {
  for (const r of policy.rules) {
    if (r.users && !r.users.includes(req.user)) continue;
    if (r.userGroups && !(req.groups ?? []).some((g: string) => r.userGroups.includes(g))) continue;
    if (r.verbs && !r.verbs.includes(req.verb)) continue;
    if (r.nonResourceURLs) {
      if (!req.url || !r.nonResourceURLs.some((u: string) => (u.endsWith('*') ? req.url!.startsWith(u.slice(0, -1)) : req.url === u))) continue;
    } else if (req.url) {
      if (r.resources || r.namespaces) continue;
    }
    if (r.resources && !r.resources.some((x: any) => x.group === (req.group ?? '') && x.resources.includes(req.resource))) continue;
    if (r.namespaces && !r.namespaces.includes(req.namespace ?? '')) continue;
    return r.level;
  }
  return 'None';
}

describe('ApiServerAuditPolicy', () => {
  const policy = new ApiServerAuditPolicy({ environments: [staging, prod], additionalNamespaces: ['argocd'] });
  const doc = JSON.parse(policy.toJsonString());

  test('is an audit.k8s.io/v1 Policy file, rendered as YAML that parses back to the same object, deterministically', () => {
    expect(doc.apiVersion).toBe('audit.k8s.io/v1');
    expect(doc.kind).toBe('Policy');
    expect(doc.omitStages).toEqual(['RequestReceived']);
    expect(YAML.parse(policy.toYaml())).toEqual(doc);
    expect(new ApiServerAuditPolicy({ environments: [prod, staging], additionalNamespaces: ['argocd'] }).toYaml()).toBe(policy.toYaml());
    for (const r of doc.rules) expect(['None', 'Metadata', 'Request', 'RequestResponse']).toContain(r.level);
  });

  test('RequestResponse for writes in every tenant namespace (and the additional namespaces)', () => {
    expect(policy.namespaces).toEqual(['argocd', 'prod-acme', 'prod-globex', 'staging-acme', 'staging-globex']);
    for (const verb of ['create', 'update', 'patch', 'delete', 'deletecollection']) {
      expect(levelOf(doc, { user: 'alice', verb, group: 'apps', resource: 'deployments', namespace: 'prod-acme' })).toBe('RequestResponse');
    }
    expect(levelOf(doc, { user: 'alice', verb: 'get', group: 'apps', resource: 'deployments', namespace: 'prod-acme' })).toBe('Metadata');
    expect(levelOf(doc, { user: 'alice', verb: 'update', group: 'apps', resource: 'deployments', namespace: 'other' })).toBe('Metadata');
  });

  test('Secrets, tokens and reviews are logged at Metadata only — never with bodies — even for writes in tenant namespaces', () => {
    const first = doc.rules[0];
    expect(first).toEqual({ level: 'Metadata', resources: SECRET_RESOURCES });
    for (const verb of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']) {
      expect(levelOf(doc, { user: 'alice', verb, resource: 'secrets', namespace: 'prod-acme' })).toBe('Metadata');
    }
    expect(levelOf(doc, { user: 'system:node:n1', groups: ['system:nodes'], verb: 'create', resource: 'serviceaccounts/token', namespace: 'prod-acme' })).toBe('Metadata');
    expect(levelOf(doc, { user: 'vault', verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' })).toBe('Metadata');
    // No rule before the secrets rule could log bodies.
    expect(doc.rules.findIndex((r: any) => r.level === 'RequestResponse' || r.level === 'Request')).toBeGreaterThan(0);
  });

  test('None only for noisy read-only system traffic, health/metrics endpoints, leases and events', () => {
    expect(levelOf(doc, { user: 'system:node:n1', groups: ['system:nodes'], verb: 'get', resource: 'pods', namespace: 'prod-acme' })).toBe('None');
    expect(levelOf(doc, { user: 'system:node:n1', groups: ['system:nodes'], verb: 'update', resource: 'pods', namespace: 'prod-acme' })).toBe('RequestResponse');
    expect(levelOf(doc, { user: 'system:kube-proxy', verb: 'watch', resource: 'endpoints' })).toBe('None');
    expect(levelOf(doc, { user: 'system:kube-controller-manager', verb: 'list', group: 'apps', resource: 'deployments' })).toBe('None');
    expect(levelOf(doc, { user: 'system:kube-controller-manager', verb: 'delete', group: 'apps', resource: 'replicasets', namespace: 'prod-acme' })).toBe('RequestResponse');
    expect(levelOf(doc, { user: 'anyone', verb: 'get', url: '/healthz' })).toBe('None');
    expect(levelOf(doc, { user: 'anyone', verb: 'get', url: '/apis' })).toBe('Metadata');
    const none = doc.rules.filter((r: any) => r.level === 'None');
    for (const r of none) {
      const readOnly = r.verbs === undefined || r.verbs.every((v: string) => ['get', 'list', 'watch'].includes(v));
      const bookkeeping = r.nonResourceURLs !== undefined || (r.resources ?? []).every((x: any) => ['leases', 'events'].some(k => x.resources.includes(k)));
      expect(readOnly || bookkeeping).toBe(true);
    }
    expect(doc.rules[doc.rules.length - 1]).toEqual({ level: 'Metadata' });
  });

  test('90-day retention (spec §7, ISO 27001 A.8.15): apiServerFlags keep the log by age, not by file count', () => {
    expect(policy.retentionDays).toBe(90);
    expect(policy.apiServerFlags()).toEqual([
      '--audit-policy-file=/etc/kubernetes/audit/policy.yaml',
      '--audit-log-path=/var/log/audit/k8s/audit.log',
      '--audit-log-maxage=90',
      '--audit-log-maxbackup=0',
      '--audit-log-maxsize=200',
      '--audit-log-compress=true',
    ]);
    const longer = EnvironmentClass.custom({ name: 'regulated', lifecycle: EnvironmentClass.PRODUCTION.lifecycle, owner: 'Ops', mutability: EnvironmentClass.PRODUCTION.mutability, auditRetentionDays: 365 });
    const env = new Environment({ name: 'reg', environmentClass: longer, tenants });
    expect(new ApiServerAuditPolicy({ environments: [prod, env] }).apiServerFlags()).toContain('--audit-log-maxage=365');
  });

  test('fails if no environment is given or a path or namespace is invalid, listing every problem', () => {
    try {
      new ApiServerAuditPolicy({ environments: [], additionalNamespaces: ['Argo CD'], logPath: 'audit.log' });
      throw new Error('expected an error');
    } catch (e) {
      expect((e as LifecycleValidationError).problems).toEqual([
        'ApiServerAuditPolicy: environments is empty (got []); pass the environments served by the cluster',
        'ApiServerAuditPolicy: additionalNamespaces[0] is not a namespace name (got "Argo CD"); use a DNS-1123 label',
        'ApiServerAuditPolicy: logPath is not an absolute path (got "audit.log"); use e.g. /var/log/audit/k8s/audit.log',
      ]);
    }
  });
});

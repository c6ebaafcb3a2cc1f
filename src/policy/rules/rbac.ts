/**
 * K12–K18: RBAC of tenant humans and workloads.
 */
import { atDoc, K8S, list } from './common';
import { KubernetesDocument } from '../contents';
import { CHECKOV, CIS, KUBE_LINTER, NSA, PolicyRule, POLARIS, ref, Report, rule } from '../rule';
import { PolicySeverity } from '../types';

const ROLES = ['Role', 'ClusterRole'];
const BINDINGS = ['RoleBinding', 'ClusterRoleBinding'];

/** Built-in ClusterRoles that read secrets or exec into pods: never bound to tenants. */
const POWERFUL_BUILTINS = new Set(['cluster-admin', 'admin', 'edit', 'system:aggregate-to-admin', 'system:aggregate-to-edit']);
/** Built-in ClusterRoles a binding may reference without the output defining them. */
const SAFE_BUILTINS = new Set(['view']);

interface RuleRef {
  readonly i: number;
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

function rulesOf(d: KubernetesDocument): RuleRef[] {
  return list(d.doc.rules).map((r: any, i: number) => ({
    i,
    apiGroups: list(r?.apiGroups).map(String),
    resources: list(r?.resources).map(String),
    verbs: list(r?.verbs).map(String),
  }));
}

/** Does a rule grant one of `verbs` on one of `resources` in the core group? (`*` counts). */
function grants(r: RuleRef, resources: string[], verbs: string[], groups: string[] = ['']): boolean {
  const group = r.apiGroups.some(g => g === '*' || groups.includes(g));
  const res = r.resources.some(x => x === '*' || resources.includes(x));
  const verb = r.verbs.some(v => v === '*' || verbs.includes(v));
  return group && res && verb;
}

function roleRule(def: {
  id: string;
  title: string;
  description: string;
  references: ReturnType<typeof ref>[];
  check: (r: RuleRef, report: Report) => void;
}): PolicyRule {
  return rule<KubernetesDocument>({
    ...def,
    severity: PolicySeverity.ERROR,
    targets: K8S,
    subjects: ctx => ctx.kind(...ROLES),
    where: atDoc,
    check: (d, report) => rulesOf(d).forEach(r => def.check(r, report)),
  });
}

const K12 = roleRule({
  id: 'K12',
  title: 'No "*" in RBAC apiGroups, resources or verbs',
  description: 'A wildcard grants whatever the API server adds later (new resources, subresources, verbs), not what was reviewed.',
  references: [CIS('5.1.3'), CHECKOV('CKV_K8S_49'), KUBE_LINTER('wildcard-in-rules'), NSA('Authentication and authorization')],
  check: (r, report) => {
    for (const field of ['apiGroups', 'resources', 'verbs'] as const) {
      if (r[field].includes('*')) report(`rules[${r.i}].${field}`, 'contains "*"', r[field], `list the ${field} explicitly`);
    }
  },
});

const K14 = roleRule({
  id: 'K14',
  title: 'No get, list or watch on secrets',
  description: 'Reading secrets through the API bypasses Vault and its audit log; list and watch return every secret of the namespace.',
  references: [CIS('5.1.2'), KUBE_LINTER('access-to-secrets'), ref('Checkov', 'CKV2_K8S_5'), NSA('Authentication and authorization')],
  check: (r, report) => {
    if (grants(r, ['secrets'], ['get', 'list', 'watch'])) {
      report(`rules[${r.i}]`, 'can read secrets', { apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs }, 'remove secrets (and "*") from the rule; workloads read secrets from Vault-mounted files');
    }
  },
});

const K15 = roleRule({
  id: 'K15',
  title: 'No pod create, pods/exec, pods/attach, pods/portforward or pods/ephemeralcontainers',
  description: 'Creating pods or exec-ing into them runs arbitrary code with any service account of the namespace and reads every mounted secret.',
  references: [CIS('5.1.4'), KUBE_LINTER('access-to-create-pods'), POLARIS('rolePodExecAttach'), POLARIS('clusterrolePodExecAttach')],
  check: (r, report) => {
    if (grants(r, ['pods'], ['create'])) {
      report(`rules[${r.i}]`, 'can create pods', { resources: r.resources, verbs: r.verbs }, 'let controllers create pods (Deployments, Jobs); never humans or workloads directly');
    }
    const sub = ['pods/exec', 'pods/attach', 'pods/portforward', 'pods/ephemeralcontainers'];
    const hit = r.resources.filter(x => x === '*' || sub.includes(x));
    if (hit.length > 0 && r.apiGroups.some(g => g === '' || g === '*') && r.verbs.length > 0) {
      report(`rules[${r.i}].resources`, 'grants exec, attach, port-forward or ephemeral containers', hit, 'remove these subresources; debug through logs and metrics, or the audited break-glass path');
    }
  },
});

const K16 = roleRule({
  id: 'K16',
  title: 'No escalate, bind or impersonate verbs, no service account token creation',
  description: 'These verbs let a subject grant itself more than it has; a created token outlives the pod it was made for.',
  references: [CIS('5.1.8'), CIS('5.1.13'), CHECKOV('CKV_K8S_157'), CHECKOV('CKV_K8S_158')],
  check: (r, report) => {
    const bad = r.verbs.filter(v => v === '*' || ['escalate', 'bind', 'impersonate'].includes(v));
    if (bad.length > 0) report(`rules[${r.i}].verbs`, 'contains escalate, bind, impersonate or "*"', bad, 'remove them');
    if (grants(r, ['serviceaccounts/token'], ['create'])) {
      report(`rules[${r.i}]`, 'can create service account tokens', { resources: r.resources, verbs: r.verbs }, 'use projected, audience-bound tokens mounted by the kubelet');
    }
    if (grants(r, ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'], ['create', 'update', 'patch'], ['rbac.authorization.k8s.io'])) {
      report(`rules[${r.i}]`, 'can change RBAC', { apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs }, 'RBAC is owned by the platform (GitOps/Terraform), never by tenants');
    }
  },
});

function isTenantSubject(s: any, tenantNamespaces: Set<string>): boolean {
  if (s?.kind === 'ServiceAccount') return tenantNamespaces.has(s.namespace);
  return s?.kind === 'Group' || s?.kind === 'User';
}

const K13 = rule<KubernetesDocument>({
  id: 'K13',
  severity: PolicySeverity.ERROR,
  title: 'No cluster-admin (or built-in admin/edit) binding and no ClusterRoleBinding for tenant subjects',
  description: 'cluster-admin is everything; the built-in admin and edit roles read secrets and exec into pods; a ClusterRoleBinding reaches every namespace.',
  targets: K8S,
  references: [CIS('5.1.1'), KUBE_LINTER('cluster-admin-role-binding'), POLARIS('clusterrolebindingClusterAdmin'), POLARIS('rolebindingClusterAdminClusterRole')],
  subjects: ctx => ctx.kind(...BINDINGS),
  where: atDoc,
  check: (d, report, ctx) => {
    const roleRef = d.doc.roleRef ?? {};
    if (roleRef.kind === 'ClusterRole' && POWERFUL_BUILTINS.has(roleRef.name)) {
      report('roleRef.name', 'binds a built-in role that reads secrets and execs into pods', roleRef.name, 'bind a narrow Role of the namespace (tenant-viewer, tenant-admin)');
    }
    if (d.kind === 'ClusterRoleBinding') {
      const tenantNs = new Set(ctx.tenantNamespaces.filter(n => n.environment === d.environment).map(n => n.name));
      list(d.doc.subjects).forEach((s: any, i: number) => {
        if (isTenantSubject(s, tenantNs)) {
          report(`subjects[${i}]`, 'gives a human or tenant subject cluster-wide rights', `${s?.kind}/${s?.namespace ? `${s.namespace}/` : ''}${s?.name}`, 'use a RoleBinding in the tenant namespace');
        }
      });
    }
  },
});

const FORBIDDEN_GROUPS = /^system:(anonymous|authenticated|unauthenticated|masters|serviceaccounts(:.*)?|nodes|bootstrappers.*)$/;

const K17 = rule<KubernetesDocument>({
  id: 'K17',
  severity: PolicySeverity.ERROR,
  title: 'Subjects are OIDC groups or service accounts of the same namespace, never system:* groups or users',
  description: 'Binding system:anonymous/authenticated opens the namespace to everybody; users outside the IdP groups bypass offboarding; a service account of another tenant crosses the tenant boundary.',
  targets: K8S,
  references: [CIS('5.1.7'), NSA('Authentication and authorization'), ref('Kubernetes', 'RBAC good practices')],
  subjects: ctx => ctx.kind(...BINDINGS),
  where: atDoc,
  check: (d, report) => {
    list(d.doc.subjects).forEach((s: any, i: number) => {
      const name = String(s?.name ?? '');
      if (s?.kind === 'Group') {
        if (name.startsWith('system:') || FORBIDDEN_GROUPS.test(name)) report(`subjects[${i}].name`, 'is a system group', name, 'bind OIDC (Keycloak) groups such as "oidc:tenant-acme"');
      } else if (s?.kind === 'User') {
        report(`subjects[${i}]`, 'binds a user directly', name, 'bind the user\'s OIDC group instead (offboarding removes group membership)');
      } else if (s?.kind === 'ServiceAccount') {
        if (d.kind === 'RoleBinding' && s.namespace !== undefined && s.namespace !== d.namespace) {
          report(`subjects[${i}].namespace`, `is not the binding's namespace ${d.namespace}`, s.namespace, 'bind only service accounts of the same tenant namespace');
        }
      } else {
        report(`subjects[${i}].kind`, 'is not Group or ServiceAccount', s?.kind, 'bind an OIDC group or a service account');
      }
    });
  },
});

const K18 = rule<KubernetesDocument>({
  id: 'K18',
  severity: PolicySeverity.ERROR,
  title: 'Every roleRef resolves to a Role of the same namespace or a ClusterRole in the output (or built-in view)',
  description: 'A binding to a role that does not exist grants nothing today and whatever someone creates under that name tomorrow.',
  targets: K8S,
  references: [ref('Kubernetes', 'RBAC: RoleBinding and roleRef'), NSA('Authentication and authorization')],
  subjects: ctx => ctx.kind(...BINDINGS),
  where: atDoc,
  check: (d, report, ctx) => {
    const roleRef = d.doc.roleRef ?? {};
    if (roleRef.apiGroup !== 'rbac.authorization.k8s.io') {
      report('roleRef.apiGroup', 'is not rbac.authorization.k8s.io', roleRef.apiGroup, 'set apiGroup: rbac.authorization.k8s.io');
    }
    if (roleRef.kind === 'Role') {
      if (d.kind === 'ClusterRoleBinding') {
        report('roleRef.kind', 'is Role in a ClusterRoleBinding', roleRef.kind, 'a ClusterRoleBinding can only reference a ClusterRole');
      } else if (!ctx.inNamespace(d.environment, d.namespace ?? '').some(x => x.kind === 'Role' && x.name === roleRef.name)) {
        report('roleRef.name', `names no Role of namespace ${d.namespace} in the output`, roleRef.name, 'create the Role in the same chart, or fix the name');
      }
    } else if (roleRef.kind === 'ClusterRole') {
      const defined = ctx.kind('ClusterRole').some(x => x.environment === d.environment && x.name === roleRef.name);
      if (!defined && !SAFE_BUILTINS.has(roleRef.name) && !POWERFUL_BUILTINS.has(roleRef.name)) {
        report('roleRef.name', 'names no ClusterRole in the output and no known built-in role', roleRef.name, 'define the ClusterRole in the output, or bind a Role');
      }
    } else {
      report('roleRef.kind', 'is not Role or ClusterRole', roleRef.kind, 'reference a Role or ClusterRole');
    }
  },
});

/** K12–K18. */
export const RBAC_RULES: PolicyRule[] = [K12, K13, K14, K15, K16, K17, K18];

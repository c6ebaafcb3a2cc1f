/**
 * Every rule of the default pack, table-driven: on a compliant fixture the rule PASSES (it found something to check
 * and nothing wrong); after one targeted change the rule FAILS with the expected message. The last test makes sure
 * no rule of the pack is missing from the table.
 */
import { addDocs, backupPod, baseState, doc, evaluate, OutputState, tfResource } from './fixtures';
import { PolicyPack, PolicyRuleStatus } from '../../src/policy';

const ACME = 'k8s/prod/acme.k8s.yaml';
const PREVIEW = 'preview-feature-x';

/**
 * The CI's Vault JWT auth of production as `CiVaultAuth` writes it (src/tf/ci-vault-auth.ts, copied from
 * `npm run example`): the mount github-prod and the decommission role, with the given changes (W11).
 */
function ciAuth(s: OutputState, change: { ref?: string; environment?: string }): void {
  s.tf.prod.resource.vault_jwt_auth_backend = {
    CiVaultAuth_Backend_19068DE6: { 'path': 'github-prod', 'type': 'jwt', 'bound_issuer': 'https://token.actions.githubusercontent.com', 'oidc_discovery_url': 'https://token.actions.githubusercontent.com', '//': { metadata: { path: 'inopsio/prod/CiVaultAuth/Backend' } } },
  };
  s.tf.prod.resource.vault_jwt_auth_backend_role = {
    'CiVaultAuth_Role-decommission_68C353CA': {
      '//': { metadata: { path: 'inopsio/prod/CiVaultAuth/Role-decommission' } },
      'backend': '${vault_jwt_auth_backend.CiVaultAuth_Backend_19068DE6.path}',
      'bound_audiences': ['vault'],
      'bound_claims': { environment: change.environment ?? 'decommission', ref: change.ref ?? 'refs/heads/main', repository: 'inopsio/platform' },
      'bound_claims_type': (change.ref ?? '').includes('*') ? 'glob' : 'string',
      'role_name': 'ci-prod-decommission',
      'role_type': 'jwt',
      'token_no_default_policy': true,
      'token_policies': ['ci-prod-decommission'],
      'user_claim': 'sub',
    },
  };
}

interface Case {
  readonly id: string;
  readonly name: string;
  readonly compliant?: (s: OutputState) => void;
  readonly violate: (s: OutputState) => void;
  readonly message: RegExp;
}

const container = (s: OutputState) => backupPod(s).containers[0];
const viewer = (s: OutputState) => doc(s, 'Role', 'tenant-viewer', 'prod-acme');
const binding = (s: OutputState) => doc(s, 'RoleBinding', 'tenant-viewer-oidc', 'prod-acme');
const cronJob = (s: OutputState) => doc(s, 'CronJob', 'backup-prod-acme');
const migrateJob = (s: OutputState) => doc(s, 'Job', 'billing-migrate');
const quota = (s: OutputState) => doc(s, 'ResourceQuota', 'tenant-quota', 'prod-acme');
const tenantPolicy = (s: OutputState) => tfResource(s, 'prod', 'vault_policy', 'Tenant-acme/Policy');
const k8sRole = (s: OutputState) => tfResource(s, 'prod', 'vault_kubernetes_auth_backend_role', 'Tenant-acme/KubernetesRole');
const dbRole = (s: OutputState) => tfResource(s, 'prod', 'vault_database_secret_backend_role', 'Tenant-acme/DatabaseRole');
const dbConnection = (s: OutputState) => tfResource(s, 'prod', 'vault_database_secret_backend_connection', 'Tenant-acme/DatabaseConnection');
const moduleRelease = (s: OutputState) => tfResource(s, 'prod', 'helm_release', 'Tenant-acme/Module-billing');
const backupRole = (s: OutputState) => tfResource(s, 'prod', 'vault_kubernetes_auth_backend_role', 'Tenant-acme/Backup/KubernetesRole');
/** A development environment's allow-data-services with the given database peers (K52). */
const devPolicy = (peers: string) => (s: OutputState) => addDocs(s, 'k8s/dev/acme.k8s.yaml', {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'allow-data-services', namespace: 'dev-acme', labels: { ...viewer(s).metadata.labels, 'env': 'dev', 'app.kubernetes.io/instance': 'dev-acme' }, annotations: { 'lifecycle.inopsio.io/database-egress': peers } },
  spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.21.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5432 }] }] },
});
/** Production's database peers, as its policies state them. */
const prodDatabase = (s: OutputState, peers: string) => {
  for (const c of s.k8s) for (const d of c.documents) if (d.metadata?.annotations?.['lifecycle.inopsio.io/database-egress']) d.metadata.annotations['lifecycle.inopsio.io/database-egress'] = peers;
};
/** An alerting rule of the production alerts PrometheusRule. */
const alertRule = (s: OutputState, alert: string) => doc(s, 'PrometheusRule', 'inopsio-prod-alerts').spec.groups.flatMap((g: any) => g.rules).find((r: any) => r.alert === alert);
const setValue = (r: any, suffix: string) => r.set.find((p: any) => p.name.endsWith(suffix));
/** The Argo CD path: the Application of acme's billing module gets the parameters the Helm path sets (module-values.ts makes both). */
const argoLogin = (s: OutputState) => { doc(s, 'Application', 'prod-acme-billing').spec.source.helm.parameters = moduleRelease(s).set.map((p: any) => ({ name: p.name, value: p.value, forceString: true })); };
const argoParameter = (s: OutputState, suffix: string) => doc(s, 'Application', 'prod-acme-billing').spec.source.helm.parameters.find((p: any) => p.name.endsWith(suffix));
const meta = (name: string, namespace = 'prod-acme', component = 'test') => ({
  name,
  namespace,
  labels: { 'app.kubernetes.io/name': component, 'app.kubernetes.io/instance': namespace, 'app.kubernetes.io/managed-by': 'inopsio-env-lifecycle', 'app.kubernetes.io/part-of': 'inopsio', 'env': 'prod', 'tenant': 'acme' },
});

const CASES: Case[] = [
  { id: 'K01', name: 'enforce is baseline', violate: s => { doc(s, 'Namespace', 'prod-acme').metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline'; }, message: /^prod\/Namespace\/-\/prod-acme: metadata\.labels\["pod-security\.kubernetes\.io\/enforce"\] is not "restricted" \(got "baseline"\); label the tenant namespace/ },
  { id: 'K01', name: 'version is latest', violate: s => { doc(s, 'Namespace', 'prod-acme').metadata.labels['pod-security.kubernetes.io/warn-version'] = 'latest'; }, message: /warn-version"\] is not a pinned Kubernetes minor version \(got "latest"\)/ },
  { id: 'K02', name: 'no namespace', violate: s => { delete doc(s, 'ConfigMap', 'backup-prod-acme-scripts').metadata.namespace; }, message: /^prod\/ConfigMap\/-\/backup-prod-acme-scripts: metadata\.namespace is not set/ },
  { id: 'K02', name: 'default namespace', violate: s => { doc(s, 'ServiceAccount', 'billing-migrate').metadata.namespace = 'default'; }, message: /metadata\.namespace is a system namespace \(got "default"\)/ },
  { id: 'K03', name: 'CronJob name of 53 characters', violate: s => { cronJob(s).metadata.name = `backup-${'x'.repeat(46)}`; }, message: /metadata\.name is not a DNS-1123 name of at most 52 characters/ },
  { id: 'K03', name: 'Service name starting with a digit', violate: s => addDocs(s, ACME, { apiVersion: 'v1', kind: 'Service', metadata: meta('1api'), spec: { ports: [{ port: 80 }] } }), message: /Service\/prod-acme\/1api: metadata\.name is not a DNS-1035 label/ },
  { id: 'K04', name: 'part-of missing', violate: s => { delete binding(s).metadata.labels['app.kubernetes.io/part-of']; }, message: /metadata\.labels\["app\.kubernetes\.io\/part-of"\] is missing/ },
  { id: 'K04', name: 'wrong tenant label', violate: s => { viewer(s).metadata.labels.tenant = 'globex'; }, message: /metadata\.labels\["tenant"\] does not name tenant "acme" of namespace prod-acme \(got "globex"\)/ },
  { id: 'K04', name: 'env label of another environment', violate: s => { viewer(s).metadata.labels.env = 'staging'; }, message: /metadata\.labels\["env"\] does not name the environment "prod"/ },
  { id: 'K05', name: 'no default deny', violate: s => { const c = s.k8s.find(x => x.file === ACME)!; c.documents = c.documents.filter(d => d.metadata.name !== 'default-deny'); }, message: /^prod\/Namespace\/-\/prod-acme: NetworkPolicy has no default deny for Ingress/ },
  { id: 'K06', name: 'no DNS allow', violate: s => { const c = s.k8s.find(x => x.file === ACME)!; c.documents = c.documents.filter(d => d.metadata.name !== 'allow-dns'); }, message: /NetworkPolicy allows no DNS over UDP to kube-dns for every pod/ },
  { id: 'K06', name: 'DNS to an outside resolver', violate: s => { doc(s, 'NetworkPolicy', 'allow-dns', 'prod-acme').spec.egress[0].to = [{ ipBlock: { cidr: '8.8.8.8/32' } }]; }, message: /spec\.egress\[0\]\.to allows DNS to something other than kube-dns/ },
  { id: 'K07', name: '0.0.0.0/0', violate: s => { doc(s, 'NetworkPolicy', 'allow-data-services', 'prod-acme').spec.egress[0].to = [{ ipBlock: { cidr: '0.0.0.0/0' } }]; }, message: /spec\.egress\[0\]\.to\[0\]\.ipBlock\.cidr opens egress to too much of the network \(got "0\.0\.0\.0\/0"\)/ },
  { id: 'K07', name: 'egress rule without to', violate: s => { delete doc(s, 'NetworkPolicy', 'backup-prod-acme-egress').spec.egress[1].to; }, message: /spec\.egress\[1\]\.to is empty, which allows all destinations/ },
  { id: 'K07', name: 'every namespace', violate: s => { doc(s, 'NetworkPolicy', 'allow-monitoring', 'prod-acme').spec.ingress[0].from = [{ namespaceSelector: {} }]; }, message: /namespaceSelector selects every namespace/ },
  { id: 'K07', name: 'selects no pod', violate: s => { doc(s, 'NetworkPolicy', 'backup-prod-acme-egress').spec.podSelector.matchLabels['lifecycle.inopsio.io/backup-schedule'] = 'backup-typo'; }, message: /spec\.podSelector selects no pod of the namespace in the synthesized output/ },
  { id: 'K08', name: 'nodeports allowed', violate: s => { quota(s).spec.hard['services.nodeports'] = '5'; }, message: /ResourceQuota spec\.hard\["services\.nodeports"\] is not "0" \(got "5"\)/ },
  { id: 'K08', name: 'LoadBalancer service', violate: s => addDocs(s, ACME, { apiVersion: 'v1', kind: 'Service', metadata: meta('api'), spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } }), message: /Service api spec\.type exposes the tenant outside the ingress controller \(got "LoadBalancer"\)/ },
  { id: 'K09', name: 'cronjob count unbounded', violate: s => { delete quota(s).spec.hard['count/cronjobs.batch']; }, message: /ResourceQuota spec\.hard\["count\/cronjobs\.batch"\] is not set/ },
  { id: 'K09', name: 'no quota', violate: s => { const c = s.k8s.find(x => x.file === ACME)!; c.documents = c.documents.filter(d => d.kind !== 'ResourceQuota'); }, message: /ResourceQuota is missing/ },
  { id: 'K10', name: 'defaultRequest above default', violate: s => { doc(s, 'LimitRange', 'tenant-limits', 'prod-acme').spec.limits[0].defaultRequest.cpu = '2'; }, message: /defaultRequest\["cpu"\] is above default 1 \(got "2"\); make defaultRequest ≤ default ≤ max/ },
  { id: 'K10', name: 'memory in milli-bytes', violate: s => { doc(s, 'LimitRange', 'tenant-limits', 'prod-acme').spec.limits[0].max.memory = '512m'; }, message: /max\["memory"\] is not a valid quantity \(got "512m"\)/ },
  { id: 'K11', name: 'workloads exceed the quota', violate: s => { container(s).resources.requests.cpu = '9'; container(s).resources.limits.cpu = '9'; }, message: /ResourceQuota spec\.hard\["requests\.cpu"\] is below what the generated workloads need \(9350m\) \(got "8"\)/ },
  { id: 'K11', name: 'container above LimitRange max', violate: s => { container(s).resources.limits.memory = '9Gi'; }, message: /CronJob backup-prod-acme spec\.jobTemplate\.spec\.template\.spec\.containers\[0\]\.resources\.limits\["memory"\] is above the LimitRange max 8Gi/ },
  { id: 'K12', name: 'wildcard verbs', violate: s => { viewer(s).rules[0].verbs = ['*']; }, message: /^prod\/Role\/prod-acme\/tenant-viewer: rules\[0\]\.verbs contains "\*"/ },
  { id: 'K13', name: 'binding to built-in admin', violate: s => { binding(s).roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' }; }, message: /roleRef\.name binds a built-in role that reads secrets and execs into pods \(got "admin"\)/ },
  { id: 'K13', name: 'ClusterRoleBinding for a tenant group', violate: s => addDocs(s, ACME, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { ...meta('acme-view'), namespace: undefined }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oidc:tenant-acme' }] }), message: /subjects\[0\] gives a human or tenant subject cluster-wide rights/ },
  { id: 'K14', name: 'reads secrets', violate: s => { viewer(s).rules[0].resources.push('secrets'); }, message: /rules\[0\] can read secrets/ },
  { id: 'K15', name: 'exec', violate: s => { viewer(s).rules[0].resources.push('pods/exec'); }, message: /rules\[0\]\.resources grants exec, attach, port-forward or ephemeral containers \(got \["pods\/exec"\]\)/ },
  { id: 'K15', name: 'pod create', violate: s => { viewer(s).rules[0].verbs.push('create'); }, message: /rules\[0\] can create pods/ },
  { id: 'K16', name: 'impersonate', violate: s => { viewer(s).rules[1].verbs.push('impersonate'); }, message: /rules\[1\]\.verbs contains escalate, bind, impersonate or "\*" \(got \["impersonate"\]\)/ },
  { id: 'K16', name: 'token create', violate: s => { viewer(s).rules.push({ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }); }, message: /can create service account tokens/ },
  { id: 'K17', name: 'system:authenticated', violate: s => { binding(s).subjects[0].name = 'system:authenticated'; }, message: /subjects\[0\]\.name is a system group \(got "system:authenticated"\)/ },
  { id: 'K17', name: 'service account of another namespace', violate: s => { binding(s).subjects.push({ kind: 'ServiceAccount', name: 'billing', namespace: 'prod-globex' }); }, message: /subjects\[1\]\.namespace is not the binding's namespace prod-acme \(got "prod-globex"\)/ },
  { id: 'K18', name: 'dangling roleRef', violate: s => { binding(s).roleRef.name = 'tenant-editor'; }, message: /roleRef\.name names no Role of namespace prod-acme in the output \(got "tenant-editor"\)/ },
  { id: 'K19', name: 'default service account', violate: s => { backupPod(s).serviceAccountName = 'default'; }, message: /serviceAccountName is the namespace's default service account/ },
  { id: 'K19', name: 'shared with another workload', violate: s => { migrateJob(s).spec.template.spec.serviceAccountName = 'backup-prod-acme'; }, message: /serviceAccountName is shared with other workloads \(CronJob\/backup-prod-acme, CronJob\/backup-prod-acme-restore-drill\)/ },
  { id: 'K20', name: 'service account automounts', violate: s => { doc(s, 'ServiceAccount', 'backup-prod-acme').automountServiceAccountToken = true; }, message: /^prod\/ServiceAccount\/prod-acme\/backup-prod-acme: automountServiceAccountToken is not false \(got true\)/ },
  { id: 'K20', name: 'pod automounts', violate: s => { delete migrateJob(s).spec.template.spec.automountServiceAccountToken; }, message: /spec\.template\.spec\.automountServiceAccountToken is not false/ },
  { id: 'K21', name: 'host network', violate: s => { backupPod(s).hostNetwork = true; }, message: /spec\.jobTemplate\.spec\.template\.spec\.hostNetwork is true/ },
  { id: 'K21', name: 'host port', violate: s => { container(s).ports = [{ containerPort: 8080, hostPort: 8080 }]; }, message: /ports\[0\]\.hostPort binds a port on the node \(got 8080\)/ },
  { id: 'K22', name: 'privileged', violate: s => { container(s).securityContext.privileged = true; }, message: /containers\[0\]\.securityContext\.privileged is true/ },
  { id: 'K23', name: 'privilege escalation not set', violate: s => { delete container(s).securityContext.allowPrivilegeEscalation; }, message: /containers\[0\]\.securityContext\.allowPrivilegeEscalation is not false \(got undefined\)/ },
  { id: 'K24', name: 'container may run as root', violate: s => { container(s).securityContext.runAsNonRoot = false; }, message: /containers\[0\]\.securityContext\.runAsNonRoot is not true \(got false\)/ },
  { id: 'K24', name: 'root UID', violate: s => { backupPod(s).securityContext.runAsUser = 0; }, message: /spec\.securityContext\.runAsUser is root/ },
  { id: 'K25', name: 'UID 1000', violate: s => { container(s).securityContext.runAsUser = 1000; }, message: /containers\[0\]\.securityContext\.runAsUser is not 10001 \(pod or container\) \(got 1000\)/ },
  { id: 'K25', name: 'injected agent as another UID', violate: s => { cronJob(s).spec.jobTemplate.spec.template.metadata.annotations['vault.hashicorp.com/agent-run-as-user'] = '100'; }, message: /metadata\.annotations\["vault\.hashicorp\.com\/agent-run-as-user"\] is not "10001" \(got "100"\)/ },
  { id: 'K26', name: 'NET_ADMIN added', violate: s => { container(s).securityContext.capabilities.add = ['NET_ADMIN']; }, message: /capabilities\.add adds capabilities \(got \["NET_ADMIN"\]\)/ },
  { id: 'K26', name: 'ALL not dropped', violate: s => { container(s).securityContext.capabilities.drop = ['NET_RAW']; }, message: /capabilities\.drop does not drop ALL/ },
  { id: 'K27', name: 'Unconfined', violate: s => { container(s).securityContext.seccompProfile = { type: 'Unconfined' }; }, message: /containers\[0\]\.securityContext\.seccompProfile\.type is not RuntimeDefault or Localhost \(container or pod\) \(got "Unconfined"\)/ },
  { id: 'K28', name: 'writable root', violate: s => { container(s).securityContext.readOnlyRootFilesystem = false; }, message: /readOnlyRootFilesystem is not true \(got false\)/ },
  { id: 'K28', name: 'unbounded emptyDir', violate: s => { backupPod(s).volumes[1].emptyDir = {}; }, message: /volumes\[1\]\.emptyDir\.sizeLimit is not set \(got "work"\)/ },
  { id: 'K29', name: 'hostPath', violate: s => { backupPod(s).volumes.push({ name: 'host', hostPath: { path: '/var/run' } }); }, message: /uses a volume type PSS restricted refuses \(got \["hostPath"\]\)/ },
  { id: 'K30', name: 'tag instead of digest', violate: s => { container(s).image = 'registry.example.com/platform/pg-backup:latest'; }, message: /containers\[0\]\.image has no digest .*; pin the image by digest/ },
  { id: 'K30', name: 'no registry', violate: s => { container(s).image = `postgres@sha256:${'a'.repeat(64)}`; }, message: /containers\[0\]\.image names no registry/ },
  { id: 'K31', name: 'IfNotPresent', violate: s => { container(s).imagePullPolicy = 'IfNotPresent'; }, message: /imagePullPolicy is not Always \(got "IfNotPresent"\)/ },
  { id: 'K32', name: 'no ephemeral-storage limit', violate: s => { delete container(s).resources.limits['ephemeral-storage']; }, message: /resources\.limits\["ephemeral-storage"\] is not set/ },
  { id: 'K32', name: 'injected agent without limits', violate: s => { delete cronJob(s).spec.jobTemplate.spec.template.metadata.annotations['vault.hashicorp.com/agent-limits-ephemeral']; }, message: /agent-limits-ephemeral"\] is not set, so the injected Vault agent has no ephemeral-storage limit/ },
  { id: 'K33', name: 'memory 512m', violate: s => { container(s).resources.limits.memory = '512m'; container(s).resources.requests.memory = '512m'; }, message: /resources\.limits\["memory"\] uses the milli\/micro\/nano suffix "m" for bytes \(got "512m"\); write 512Mi for mebibytes/ },
  { id: 'K33', name: '16GB', violate: s => { container(s).resources.limits['ephemeral-storage'] = '16GB'; }, message: /is not a Kubernetes quantity \(got "16GB"\)/ },
  { id: 'K34', name: 'request above limit', violate: s => { container(s).resources.requests.memory = '1Gi'; }, message: /resources\.requests\["memory"\] is above the limit 512Mi \(got "1Gi"\); make requests ≤ limits/ },
  { id: 'K35', name: 'Allow', violate: s => { cronJob(s).spec.concurrencyPolicy = 'Allow'; }, message: /spec\.concurrencyPolicy is not Forbid \(got "Allow"\)/ },
  { id: 'K36', name: 'no starting deadline', violate: s => { delete cronJob(s).spec.startingDeadlineSeconds; }, message: /spec\.startingDeadlineSeconds is not a whole number of at least 10/ },
  { id: 'K37', name: 'no active deadline', violate: s => { delete migrateJob(s).spec.activeDeadlineSeconds; }, message: /^prod\/Job\/prod-acme\/billing-migrate: spec\.activeDeadlineSeconds is not set/ },
  { id: 'K38', name: 'backoffLimit 6', violate: s => { cronJob(s).spec.jobTemplate.spec.backoffLimit = 6; }, message: /spec\.jobTemplate\.spec\.backoffLimit is not 1, 2 or 3 \(got 6\)/ },
  { id: 'K38', name: 'OnFailure', violate: s => { migrateJob(s).spec.template.spec.restartPolicy = 'OnFailure'; }, message: /spec\.template\.spec\.restartPolicy is not Never \(got "OnFailure"\)/ },
  { id: 'K39', name: 'no TTL', violate: s => { delete cronJob(s).spec.jobTemplate.spec.ttlSecondsAfterFinished; }, message: /spec\.jobTemplate\.spec\.ttlSecondsAfterFinished is not set/ },
  { id: 'K40', name: 'failed jobs not kept', violate: s => { cronJob(s).spec.failedJobsHistoryLimit = 0; }, message: /spec\.failedJobsHistoryLimit is not a whole number from 1 to 10 \(got 0\)/ },
  { id: 'K41', name: 'no time zone', violate: s => { delete cronJob(s).spec.timeZone; }, message: /spec\.timeZone is not an IANA time zone/ },
  { id: 'K41', name: 'TZ= in the schedule', violate: s => { cronJob(s).spec.schedule = 'CRON_TZ=UTC 15 2 * * *'; }, message: /spec\.schedule sets a time zone inline/ },
  { id: 'K41', name: 'probe on a Job pod', violate: s => { migrateJob(s).spec.template.spec.containers[0].livenessProbe = { exec: { command: ['true'] } }; }, message: /containers\[0\]\.livenessProbe is set on a Job pod/ },
  { id: 'K42', name: 'literal password in env', violate: s => { container(s).env.push({ name: 'PGPASSWORD', value: 'hunter22' }); }, message: /env\[5\]\.value holds a literal secret in PGPASSWORD \(got "<redacted>"\)/ },
  { id: 'K42', name: 'URL with credentials in env', violate: s => { container(s).env.push({ name: 'DATABASE_URL', value: 'postgres://app:s3cret@db:5432/app' }); }, message: /holds a literal secret in DATABASE_URL/ },
  { id: 'K43', name: 'secretKeyRef', violate: s => { container(s).env.push({ name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }); }, message: /env\[5\]\.valueFrom\.secretKeyRef reads a secret into the environment/ },
  { id: 'K43', name: 'envFrom secretRef', violate: s => { container(s).envFrom = [{ secretRef: { name: 'db' } }]; }, message: /envFrom\[0\]\.secretRef reads a whole secret into the environment/ },
  {
    id: 'K44',
    name: 'Secret with data',
    compliant: s => addDocs(s, ACME, { apiVersion: 'v1', kind: 'Secret', metadata: meta('placeholder'), type: 'Opaque' }),
    violate: s => { doc(s, 'Secret', 'placeholder').stringData = { password: 'x' }; },
    message: /^prod\/Secret\/prod-acme\/placeholder: stringData holds secret values \(got \["password"\]\)/,
  },
  { id: 'K45', name: 'no alerts', violate: s => { for (const c of s.k8s) c.documents = c.documents.filter(d => d.kind !== 'PrometheusRule'); }, message: /^prod\/CronJob\/prod-acme\/backup-prod-acme: PrometheusRule has no freshness alert covering this CronJob in environment prod/ },
  { id: 'K45', name: 'CronJob not matched by the alert pattern', violate: s => { cronJob(s).metadata.name = 'nightly-dump'; }, message: /nightly-dump: PrometheusRule has no failed-job alert covering this CronJob/ },
  { id: 'K45', name: 'no Backup Status dashboard', violate: s => { for (const c of s.k8s) c.documents = c.documents.filter(d => d.metadata.name !== 'inopsio-prod-backup-status'); }, message: /Grafana dashboard has no "Backup Status" panel showing this CronJob/ },
  { id: 'K46', name: 'no tenant Service policy', violate: s => { for (const c of s.k8s) c.documents = c.documents.filter(d => !String(d.metadata?.name).startsWith('inopsio-tenant-services-')); }, message: /^prod\/Namespace\/-\/prod-acme: Namespace is not guarded by an enforced ValidatingAdmissionPolicy that refuses ExternalName Services and spec\.externalIPs \(got "prod-acme"\); add TenantServicePolicy/ },
  { id: 'K46', name: 'policy allows externalIPs', violate: s => { doc(s, 'ValidatingAdmissionPolicy', 'inopsio-tenant-services-prod').spec.validations.pop(); }, message: /prod-acme: Namespace is not guarded by an enforced ValidatingAdmissionPolicy/ },
  { id: 'K46', name: 'binding only warns', violate: s => { doc(s, 'ValidatingAdmissionPolicyBinding', 'inopsio-tenant-services-prod').spec.validationActions = ['Warn']; }, message: /prod-acme: Namespace is not guarded/ },
  { id: 'K46', name: 'selector misses the tenant namespaces', violate: s => { doc(s, 'ValidatingAdmissionPolicy', 'inopsio-tenant-services-prod').spec.matchConstraints.namespaceSelector.matchLabels.env = 'staging'; }, message: /prod-acme: Namespace is not guarded/ },
  { id: 'K47', name: 'CONNECT not matched', violate: s => { doc(s, 'ValidatingAdmissionPolicy', 'inopsio-immutable-prod').spec.matchConstraints.resourceRules.pop(); }, message: /^prod\/ValidatingAdmissionPolicy\/-\/inopsio-immutable-prod: spec\.matchConstraints\.resourceRules do not match CONNECT of pods\/exec, pods\/attach, pods\/portforward, pods\/proxy, services\/proxy/ },
  { id: 'K47', name: 'port-forward left out', violate: s => { doc(s, 'ValidatingAdmissionPolicy', 'inopsio-immutable-prod').spec.matchConstraints.resourceRules[2].resources = ['pods/exec', 'pods/attach', 'pods/proxy', 'services/proxy']; }, message: /resourceRules do not match CONNECT of pods\/portforward \(got \["pods\/portforward"\]\)/ },
  { id: 'K47', name: 'kube-system wildcard', violate: s => { const mc = doc(s, 'ValidatingAdmissionPolicy', 'inopsio-immutable-prod').spec.matchConditions[0]; mc.expression += " && !request.userInfo.username.startsWith('system:serviceaccount:kube-system:')"; }, message: /spec\.matchConditions\[0\]\.expression exempts service accounts by prefix \(got "startsWith\('system:serviceaccount:kube-system:'\)"\); name each exempt controller/ },
  { id: 'K48', name: 'the whole controller namespace', violate: s => { delete doc(s, 'NetworkPolicy', 'allow-ingress-controller', 'prod-acme').spec.ingress[0].from[0].podSelector; }, message: /^prod\/NetworkPolicy\/prod-acme\/allow-ingress-controller: spec\.ingress\[0\]\.from\[0\]\.podSelector does not select the controller pods, so every pod of the controller's namespace is admitted/ },
  { id: 'K48', name: 'every port', violate: s => { delete doc(s, 'NetworkPolicy', 'allow-ingress-controller', 'prod-acme').spec.ingress[0].ports; }, message: /allow-ingress-controller: spec\.ingress\[0\]\.ports are not set, so pods of another namespace reach every port/ },
  { id: 'K48', name: 'monitoring on every port', violate: s => { delete doc(s, 'NetworkPolicy', 'allow-monitoring', 'prod-acme').spec.ingress[0].ports; }, message: /allow-monitoring: spec\.ingress\[0\]\.ports are not set/ },
  { id: 'K49', name: 'no tenant Ingress policy', violate: s => { for (const c of s.k8s) c.documents = c.documents.filter(d => !String(d.metadata?.name).startsWith('inopsio-tenant-ingress-')); }, message: /^prod\/Namespace\/-\/prod-acme: Namespace is not guarded by an enforced ValidatingAdmissionPolicy that ties Ingress hosts to the tenant \(got "prod-acme"\); add TenantIngressPolicy/ },
  { id: 'K49', name: 'default backends allowed', violate: s => { doc(s, 'ValidatingAdmissionPolicy', 'inopsio-tenant-ingress-prod').spec.validations.shift(); }, message: /prod-acme: Namespace is not guarded by an enforced ValidatingAdmissionPolicy that ties Ingress hosts/ },
  { id: 'K49', name: 'fails open', violate: s => { doc(s, 'ValidatingAdmissionPolicy', 'inopsio-tenant-ingress-prod').spec.failurePolicy = 'Ignore'; }, message: /prod-acme: Namespace is not guarded by an enforced ValidatingAdmissionPolicy that ties Ingress hosts/ },
  { id: 'K49', name: 'binding only audits', violate: s => { doc(s, 'ValidatingAdmissionPolicyBinding', 'inopsio-tenant-ingress-prod').spec.validationActions = ['Audit']; }, message: /prod-acme: Namespace is not guarded by an enforced ValidatingAdmissionPolicy that ties Ingress hosts/ },
  { id: 'K50', name: 'no Argo CD project policy', violate: s => { for (const c of s.k8s) c.documents = c.documents.filter(d => !String(d.metadata?.name).startsWith('inopsio-argocd-projects-')); }, message: /^prod\/Namespace\/-\/prod-acme: Namespace is not guarded by an enforced ValidatingAdmissionPolicy that binds Argo CD Applications deploying into it to its project \(got "prod-acme"\); add ArgoCdProjectGuard .* mapping 'prod-acme': 'prod-acme'/ },
  { id: 'K50', name: 'a tenant namespace missing from the map', violate: s => { const p = doc(s, 'ValidatingAdmissionPolicy', 'inopsio-argocd-projects-prod'); p.spec.matchConditions[0].expression = p.spec.matchConditions[0].expression.replace("'prod-idle': 'prod-idle'", "'prod-idle': 'prod-acme'"); p.spec.validations[0].expression = p.spec.validations[0].expression.replace("'prod-idle': 'prod-idle'", "'prod-idle': 'prod-acme'"); }, message: /^prod\/Namespace\/-\/prod-idle: Namespace is not guarded .* mapping 'prod-idle': 'prod-idle'/ },
  { id: 'K50', name: 'binding only warns', violate: s => { doc(s, 'ValidatingAdmissionPolicyBinding', 'inopsio-argocd-projects-prod').spec.validationActions = ['Warn']; }, message: /prod-acme: Namespace is not guarded by an enforced ValidatingAdmissionPolicy that binds Argo CD Applications/ },
  { id: 'K51', name: 'no default project in the output', violate: s => { for (const c of s.k8s) c.documents = c.documents.filter(d => !(d.kind === 'AppProject' && d.metadata.name === 'default')); }, message: /^prod\/Application\/argocd\/prod-acme-billing: AppProject default is not in the output, so Argo CD's built-in default project allows everything/ },
  { id: 'K51', name: 'default project open', violate: s => { const p = doc(s, 'AppProject', 'default'); p.spec.sourceRepos = ['*']; p.spec.destinations = [{ namespace: '*', server: '*' }]; p.spec.namespaceResourceWhitelist = []; }, message: /AppProject default spec\.sourceRepos is not empty \(got \["\*"\]\); set sourceRepos: \[\]/ },
  { id: 'K51', name: 'every namespaced kind', violate: s => { doc(s, 'AppProject', 'default').spec.namespaceResourceWhitelist = [{ group: '*', kind: '*' }]; }, message: /AppProject default spec\.namespaceResourceWhitelist admits every namespaced kind/ },
  { id: 'K52', name: 'dev reaches production\'s database', compliant: devPolicy('pods:dev-databases'), violate: devPolicy('pods:databases'), message: /^dev\/NetworkPolicy\/dev-acme\/allow-data-services: metadata\.annotations\["lifecycle\.inopsio\.io\/database-egress"\] admits a database that a production-side environment \(prod\) also reaches \(got "pods:databases"\); give environment dev its own database target \(PlatformProps\.environmentNetworks\.dev\.database\)/ },
  { id: 'K52', name: 'an overlapping CIDR', compliant: s => { prodDatabase(s, 'cidr:10.20.0.0/24'); devPolicy('cidr:10.21.0.0/24')(s); }, violate: s => { prodDatabase(s, 'cidr:10.20.0.0/24'); devPolicy('cidr:10.20.0.0/16')(s); }, message: /dev-acme\/allow-data-services: .* admits a database that a production-side environment \(prod\) also reaches \(got "cidr:10\.20\.0\.0\/16"\)/ },
  { id: 'V01', name: 'sys path with sudo', violate: s => { tenantPolicy(s).policy += 'path "sys/policies/acl/*" {\n  capabilities = ["read", "sudo"]\n}\n'; }, message: /^inopsio\/prod\/Vault\/Tenant-acme\/Policy: policy path "sys\/policies\/acl\/\*" grants a "sys\/" path/ },
  { id: 'V01', name: 'unparseable policy', violate: s => { tenantPolicy(s).policy += 'path "x" {'; }, message: /policy cannot be parsed/ },
  { id: 'V02', name: 'another tenant\'s secrets', violate: s => { tenantPolicy(s).policy += 'path "kv-prod/data/prod/globex/*" {\n  capabilities = ["read"]\n}\n'; }, message: /policy path "kv-prod\/data\/prod\/globex\/\*" is outside tenant "acme"'s prefixes/ },
  { id: 'V02', name: 'glob in the middle', violate: s => { tenantPolicy(s).policy += 'path "kv-prod/data/*/acme" {\n  capabilities = ["read"]\n}\n'; }, message: /uses "\*" before the end/ },
  { id: 'V02', name: 'role prefix glob', violate: s => { tenantPolicy(s).policy += 'path "database-prod/creds/acme-*" {\n  capabilities = ["read"]\n}\n'; }, message: /"database-prod\/creds\/acme-\*" is outside tenant "acme"'s prefixes/ },
  { id: 'V03', name: 'periodic tokens', violate: s => { k8sRole(s).token_period = 3600; }, message: /token_period creates periodic tokens that never expire while renewed/ },
  { id: 'V03', name: 'root policy', violate: s => { k8sRole(s).token_policies.push('root'); }, message: /policies grants the root policy/ },
  { id: 'V04', name: 'token literal', violate: s => { s.tf.prod.provider.vault[0].token = 'hvs.notarealtoken'; }, message: /^prod\/provider: provider\.vault\[0\]\.token is a literal/ },
  { id: 'V04', name: 'TLS not verified', violate: s => { s.tf.prod.provider.vault[0].skip_tls_verify = true; }, message: /skip_tls_verify disables TLS verification/ },
  { id: 'V05', name: 'KV secret through Terraform', violate: s => { s.tf.prod.resource.vault_kv_secret_v2 = { x: { mount: 'kv-prod', name: 'prod/acme/app', data_json: '{"password":"x"}' } }; }, message: /vault_kv_secret_v2 writes or reads a secret value through Terraform/ },
  {
    // The tenants' object-store keys (TenantObjectStore): write-only from an ephemeral password, never in state.
    id: 'V05',
    name: 'KV secret written to state next to its write-only copy',
    compliant: s => { s.tf.prod.resource.vault_kv_secret_v2 = { keys: { mount: 'kv-prod', name: 'prod/acme/object-store', data_json_wo: '${jsonencode({ secret_key = ephemeral.random_password.k.result })}', data_json_wo_version: 1 } }; },
    violate: s => { s.tf.prod.resource.vault_kv_secret_v2.keys.data_json = '${jsonencode({ secret_key = minio_iam_user.u.secret })}'; },
    message: /^prod\/vault_kv_secret_v2\.keys: vault_kv_secret_v2 writes or reads a secret value through Terraform/,
  },
  { id: 'V05', name: 'password argument instead of password_wo', violate: s => { dbConnection(s).postgresql.password = 'bootstrap-pass'; }, message: /postgresql\.password is a secret argument that Terraform stores in state/ },
  { id: 'V05', name: 'secret variable not ephemeral', violate: s => { s.tf.prod.variable.vault_token = { type: 'string', sensitive: true }; }, message: /variable\.vault_token holds secrets but is not ephemeral and sensitive/ },
  { id: 'V06', name: 'one audit device', violate: s => { delete s.tf.prod.resource.vault_audit[Object.keys(s.tf.prod.resource.vault_audit)[0]]; }, message: /^prod\/vault_audit: vault_audit has fewer than two audit devices \(got 1\)/ },
  { id: 'V06', name: 'raw logging', violate: s => { tfResource(s, 'prod', 'vault_audit', 'AuditFile').options.log_raw = 'true'; }, message: /options\.log_raw is not false \(got "true"\)/ },
  { id: 'V07', name: 'any namespace', violate: s => { k8sRole(s).bound_service_account_namespaces = ['*']; }, message: /bound_service_account_namespaces contains "\*"/ },
  { id: 'V07', name: 'no audience, long TTL', violate: s => { delete k8sRole(s).audience; k8sRole(s).token_ttl = 86400; }, message: /audience is not set/ },
  { id: 'V08', name: 'reviewer JWT in state', violate: s => { tfResource(s, 'prod', 'vault_kubernetes_auth_backend_config').token_reviewer_jwt = '${var.jwt}'; }, message: /token_reviewer_jwt stores a long-lived reviewer JWT in state/ },
  { id: 'V09', name: 'any role', violate: s => { dbConnection(s).allowed_roles = ['*']; }, message: /allowed_roles is empty or contains "\*"/ },
  { id: 'V09', name: 'no TLS verification', violate: s => { dbConnection(s).postgresql.connection_url = dbConnection(s).postgresql.connection_url.replace('verify-full', 'disable'); }, message: /postgresql\.connection_url does not verify the database certificate \(got "sslmode=disable"\)/ },
  { id: 'V09', name: 'root never rotated', violate: s => { const eps = s.tf.prod.resource.vault_generic_endpoint; for (const k of Object.keys(eps)) if (eps[k].path.endsWith('/acme')) delete eps[k]; }, message: /root credentials are never rotated \(got "acme"\)/ },
  { id: 'V10', name: 'week-long max_ttl', violate: s => { dbRole(s).max_ttl = 604800; }, message: /max_ttl is not set to at most 24 hours \(got 604800\)/ },
  { id: 'V10', name: 'SUPERUSER', violate: s => { dbRole(s).creation_statements[0] = 'CREATE ROLE "{{name}}" WITH LOGIN SUPERUSER PASSWORD \'{{password}}\';'; }, message: /creation_statements\[0\] grants more than least privilege/ },
  { id: 'V10', name: 'no revocation statements', violate: s => { dbRole(s).revocation_statements = []; }, message: /revocation_statements is empty/ },
  { id: 'V11', name: 'unbounded versions', violate: s => { tfResource(s, 'prod', 'vault_kv_secret_backend_v2').max_versions = 0; }, message: /max_versions is not a whole number from 1 to 100 \(got 0\)/ },
  { id: 'V11', name: 'no check-and-set in production', violate: s => { tfResource(s, 'prod', 'vault_kv_secret_backend_v2').cas_required = false; }, message: /cas_required is not true in production \(got false\)/ },
  { id: 'V12', name: 'staging reads production secrets', violate: s => { tfResource(s, 'staging', 'vault_policy', 'Tenant-acme/Policy').policy += 'path "kv-prod/data/prod/acme/*" {\n  capabilities = ["read"]\n}\n'; }, message: /^staging\/stack: stack references a Vault mount of production environment "prod" \(got "kv-prod"\)/ },
  { id: 'V12', name: 'shared mount', violate: s => { tfResource(s, 'staging', 'vault_mount', 'Vault/Kv').path = 'kv-shared'; }, message: /path is not suffixed with the environment "-staging" \(got "kv-shared"\)/ },
  {
    id: 'V15',
    name: 'a preview stack writes a policy',
    // A preview stack as the Platform builds it: roles only, in the host's shared preview mounts.
    compliant: s => { s.tf[PREVIEW] = { resource: { vault_kubernetes_auth_backend_role: { role: { ...k8sRole(s), backend: 'kubernetes-preview', role_name: `${PREVIEW}-acme`, token_policies: ['preview-tenant'] } } } }; },
    violate: s => { s.tf[PREVIEW].resource.vault_policy = { policy: { ...tenantPolicy(s), '//': { metadata: { path: `inopsio/${PREVIEW}/Vault/Tenant-acme/Policy` } }, 'name': 'anything', 'policy': 'path "*" {\n  capabilities = ["sudo"]\n}\n' } }; },
    message: /^inopsio\/preview-feature-x\/Vault\/Tenant-acme\/Policy: vault_policy is in the stack of preview "preview-feature-x", which is applied from a pull request's code \(got "anything"\); create it in the previews' host stack/,
  },
  {
    id: 'V15',
    name: 'a preview stack mounts an engine',
    compliant: s => { s.tf[PREVIEW] = { resource: { vault_kubernetes_auth_backend_role: { role: { ...k8sRole(s), backend: 'kubernetes-preview' } } } }; },
    violate: s => { s.tf[PREVIEW].resource.vault_mount = { kv: { path: 'kv-preview-feature-x', type: 'kv' } }; },
    message: /vault_mount is in the stack of preview "preview-feature-x", which is applied from a pull request's code \(got "kv-preview-feature-x"\)/,
  },
  {
    id: 'V13',
    name: 'destroy before revoking leases',
    violate: s => {
      // Swap the order: the destroy job no longer waits for the revoke job, the revoke job waits for destroy.
      s.workflows['decommission.yml'] = s.workflows['decommission.yml'].replace(/(\n {2}revoke:\n {4}needs:) verify/, '$1 destroy').replace(/(\n {2}destroy:\n {4}needs:) revoke/, '$1 verify');
    },
    message: /^dist\/workflows\/decommission\.yml#jobs\.destroy: jobs\.destroy\.steps\[\d+\] runs destroy without revoking Vault leases by prefix first/,
  },
  {
    id: 'V13',
    name: 'roles deleted before leases are revoked',
    violate: s => { s.workflows['cleanup-env.yml'] = s.workflows['cleanup-env.yml'].replace(/vault lease revoke -sync -prefix/g, 'vault lease renew'); },
    message: /runs role deletion without revoking Vault leases by prefix first/,
  },
  { id: 'G01', name: 'an approval environment is not generated', violate: s => { delete s.tf['github-environments'].resource.github_repository_environment['environment-decommission-approval-1']; }, message: /^dist\/workflows\/decommission\.yml#jobs\.destroy: jobs\.approval-1\.environment names a GitHub environment that no github_repository_environment creates \(got "decommission-approval-1"\)/ },
  { id: 'G01', name: 'an approval environment has no reviewers', violate: s => { delete s.tf['github-environments'].resource.github_repository_environment['environment-decommission-approval-2'].reviewers; }, message: /jobs\.destroy runs terraform destroy.* behind 1 generated environment\(s\) with required reviewers; it needs 2/ },
  { id: 'G01', name: 'the starter of a run may approve it', violate: s => { s.tf['github-environments'].resource.github_repository_environment['environment-decommission-approval-1'].prevent_self_review = false; }, message: /jobs\.approval-1\.environment is generated with reviewers but lets the person who started the run approve it \(got "decommission-approval-1"\)/ },
  { id: 'G01', name: 'the cleanup environment is open to every branch', violate: s => { delete s.tf['github-environments'].resource.github_repository_environment['environment-preview-cleanup'].deployment_branch_policy; }, message: /^dist\/workflows\/cleanup-env\.yml#jobs\.destroy: jobs\.destroy\.environment is generated without reviewers and without a deployment-branch rule \(got "preview-cleanup"\)/ },
  { id: 'V14', name: 'not atomic', violate: s => { moduleRelease(s).atomic = false; }, message: /^inopsio\/prod\/Tenant-acme\/Module-billing: atomic is not true \(got false\)/ },
  { id: 'V14', name: 'version range', violate: s => { moduleRelease(s).version = '^3.4.1'; }, message: /version is not an exact chart version \(got "\^3\.4\.1"\)/ },
  { id: 'V14', name: 'secret in set', violate: s => { moduleRelease(s).set.push({ name: 'env.DB_PASSWORD', type: 'string', value: 'hunter22' }); }, message: /set\[\d+\]\.value holds a literal secret in env\.DB_PASSWORD \(got "<redacted>"\)/ },
  { id: 'V14', name: 'release name too long', violate: s => { moduleRelease(s).name = `acme-${'b'.repeat(50)}`; }, message: /name is not a DNS-1123 label of at most 53 characters/ },
  {
    id: 'W01',
    name: 'the destroy job no longer waits for the approvals',
    violate: s => { s.workflows['decommission.yml'] = s.workflows['decommission.yml'].replace(/(\n {2}destroy:\n {4}needs:) revoke/, '$1 plan'); },
    message: /^dist\/workflows\/decommission\.yml: jobs\.destroy runs terraform destroy, helm uninstall, kubectl delete, mc rm \/ rb \/ admin user remove gated by no approval environment \(got \[\]\); it needs 2 of decommission-approval-1, decommission-approval-2, preview-cleanup in its environment or in jobs it needs \(W01\)$/,
  },
  {
    id: 'W02',
    name: 'the branch name in a script',
    violate: s => { s.workflows['preview.yml'] = s.workflows['preview.yml'].replace('--branch "$BRANCH" >>', '--branch "${{ github.head_ref }}" >>'); },
    message: /^dist\/workflows\/preview\.yml: jobs\.name\.steps\[\d+\] \(.*\) interpolates a GitHub expression into run \(got .*\); pass the value through env and use "\$VAR" \(W02\)$/,
  },
  // Issue 24 item 4: the two ends of a reference meet.
  { id: 'W03', name: 'the backup role binds another service account than the CronJob runs as', violate: s => { backupRole(s).bound_service_account_names = ['backup-acme']; }, message: /^prod\/CronJob\/prod-acme\/backup-prod-acme: spec\.jobTemplate\.spec\.template\.metadata\.annotations\["vault\.hashicorp\.com\/role"\] runs as service account prod-acme\/backup-prod-acme, which Vault role "prod-acme-backup" \(inopsio\/prod\/Vault\/Tenant-acme\/Backup\/KubernetesRole\) does not bind \(it binds \["backup-acme"\] in \["prod-acme"\]\) \(got "prod-acme\/backup-prod-acme"\); bind the role/ },
  { id: 'W03', name: 'a module release (Helm path) runs as a service account its role does not bind', violate: s => { setValue(moduleRelease(s), 'serviceAccount.name').value = 'billing-api'; }, message: /^inopsio\/prod\/Tenant-acme\/Module-billing: set\[\d+\] \(podAnnotations\.vault\.hashicorp\.com\/role\) runs as service account prod-acme\/billing-api, which Vault role "acme" \(inopsio\/prod\/Vault\/Tenant-acme\/KubernetesRole\) does not bind \(it binds \["billing"\] in \["prod-acme"\]\)/ },
  { id: 'W03', name: 'an Argo CD Application runs in a namespace the role does not bind', compliant: argoLogin, violate: s => { argoLogin(s); doc(s, 'Application', 'prod-acme-billing').spec.destination.namespace = 'prod-acme-2'; }, message: /^prod\/Application\/argocd\/prod-acme-billing: spec\.source\.helm\.parameters\[\d+\] \(podAnnotations\.vault\.hashicorp\.com\/role\) runs as service account prod-acme-2\/billing, which Vault role "acme" \(inopsio\/prod\/Vault\/Tenant-acme\/KubernetesRole\) does not bind/ },
  { id: 'W03', name: 'a module release that names no service account', violate: s => { const r = moduleRelease(s); r.set = r.set.filter((p: any) => p.name !== 'serviceAccount.name'); }, message: /Module-billing: set\[\d+\] \(podAnnotations\.vault\.hashicorp\.com\/role\) logs in with Vault role "acme" \(inopsio\/prod\/Vault\/Tenant-acme\/KubernetesRole\) but sets no service account value \(serviceAccount\.name\)/ },
  { id: 'W03', name: 'a role that no stack defines', violate: s => { setValue(moduleRelease(s), 'vault\\.hashicorp\\.com/role').value = 'acme-typo'; }, message: /Module-billing: set\[\d+\] \(podAnnotations\.vault\.hashicorp\.com\/role\) logs in with Vault role "acme-typo" at auth\/kubernetes-prod, which no vault_kubernetes_auth_backend_role of the prod stack defines \(got "acme-typo"\)/ },
  { id: 'W03', name: 'a role on another mount', violate: s => { doc(s, 'CronJob', 'backup-prod-acme').spec.jobTemplate.spec.template.metadata.annotations['vault.hashicorp.com/auth-path'] = 'auth/kubernetes'; }, message: /backup-prod-acme: .* logs in with Vault role "prod-acme-backup" at auth\/kubernetes, which no vault_kubernetes_auth_backend_role of the prod stack defines/ },
  { id: 'W04', name: 'the backup pod presents a token for another audience', violate: s => { backupPod(s).volumes.find((v: any) => v.name === 'vault-token').projected.sources[0].serviceAccountToken.audience = 'https://kubernetes.default.svc'; }, message: /^prod\/CronJob\/prod-acme\/backup-prod-acme: spec\.jobTemplate\.spec\.template\.metadata\.annotations\["vault\.hashicorp\.com\/agent-service-account-token-volume-name"\] presents a token of volume "vault-token" for audience \["https:\/\/kubernetes\.default\.svc"\], but Vault role "prod-acme-backup" \(inopsio\/prod\/Vault\/Tenant-acme\/Backup\/KubernetesRole\) requires audience "vault"/ },
  { id: 'W04', name: 'the role requires an audience the module release does not present (Helm path)', violate: s => { k8sRole(s).audience = 'vault-prod'; }, message: /^inopsio\/prod\/Tenant-acme\/Module-billing: set\[\d+\] \(podAnnotations\.vault\.hashicorp\.com\/agent-service-account-token-volume-name\) presents a token of volume "vault-token" for audience \["vault"\], but Vault role "acme" \(inopsio\/prod\/Vault\/Tenant-acme\/KubernetesRole\) requires audience "vault-prod"/ },
  { id: 'W04', name: 'an Argo CD Application without a token volume presents the default token', compliant: argoLogin, violate: s => { argoLogin(s); const a = doc(s, 'Application', 'prod-acme-billing').spec.source.helm; a.parameters = a.parameters.filter((p: any) => !/token-volume-name|^volumes/.test(p.name)); }, message: /^prod\/Application\/argocd\/prod-acme-billing: spec\.source\.helm\.parameters \(no vault\.hashicorp\.com\/agent-service-account-token-volume-name\) is not set, so the agent presents the pod's default token \(the API server's audience\), but Vault role "acme" .* requires audience "vault"/ },
  { id: 'W04', name: 'a token volume the chart values do not define', compliant: argoLogin, violate: s => { argoLogin(s); argoParameter(s, 'volumes[0].name').value = 'token'; }, message: /prod-acme-billing: spec\.source\.helm\.parameters\[\d+\] \(podAnnotations\.vault\.hashicorp\.com\/agent-service-account-token-volume-name\) names token volume "vault-token", which the Application does not define/ },
  // Issue 24: the PodMonitor scrapes the port named "metrics", allow-monitoring admitted TCP 9090 only.
  { id: 'W05', name: 'allow-monitoring admits the metrics port by number only (issue 24)', violate: s => { doc(s, 'NetworkPolicy', 'allow-monitoring', 'prod-acme').spec.ingress[0].ports = [{ port: 9090, protocol: 'TCP' }]; }, message: /^prod\/PodMonitor\/prod-acme\/inopsio-tenant-metrics: spec\.podMetricsEndpoints\[0\]\.port scrapes port "metrics" of namespace prod-acme from namespace monitoring, which the NetworkPolicies of prod-acme \(default-deny, .*allow-monitoring.*\) do not admit: they admit from monitoring only TCP 9090 \(allow-monitoring\); no generated pod declares that name on a number they admit \(got "metrics"\); admit port "metrics" by name/ },
  { id: 'W05', name: 'Prometheus scrapes from a namespace no policy admits', violate: s => { doc(s, 'PodMonitor', 'inopsio-tenant-metrics', 'prod-acme').metadata.annotations['lifecycle.inopsio.io/scraper-namespace'] = 'observability'; }, message: /PodMonitor\/prod-acme\/inopsio-tenant-metrics: spec\.podMetricsEndpoints\[0\]\.port scrapes port "metrics" of namespace prod-acme from namespace observability, which the NetworkPolicies of prod-acme .* do not admit: none admits observability/ },
  { id: 'W05', name: 'a port by number that admits no generated pod\'s named port', compliant: s => { backupPod(s).containers[0].ports = [{ name: 'metrics', containerPort: 9090 }]; doc(s, 'NetworkPolicy', 'allow-monitoring', 'prod-acme').spec.ingress[0].ports = [{ port: 9090, protocol: 'TCP' }]; }, violate: s => { backupPod(s).containers[0].ports = [{ name: 'metrics', containerPort: 9100 }]; doc(s, 'NetworkPolicy', 'allow-monitoring', 'prod-acme').spec.ingress[0].ports = [{ port: 9090, protocol: 'TCP' }]; }, message: /scrapes port "metrics" of namespace prod-acme from namespace monitoring, .* they admit from monitoring only TCP 9090 \(allow-monitoring\) \(got "metrics"\)/ },
  // Issue 24: the backup pods mount postgres-ca, which the output neither generates nor declared.
  // Issue 24 item 3: the stack jobs ran Terraform without vault_address, vault_kubernetes_ca_cert or the PostgreSQL admin.
  { id: 'W07', name: 'an upgrade job no longer supplies a stack variable without a default', violate: s => { s.workflows['tenant-upgrade.yml'] = s.workflows['tenant-upgrade.yml'].replace(/^ *TF_VAR_vault_kubernetes_ca_cert: .*\n/gm, ''); }, message: /^dist\/workflows\/tenant-upgrade\.yml#jobs\.upgrade-prod: env\.TF_VAR_vault_kubernetes_ca_cert is missing: the job runs terraform apply on stack prod \(cdktf\.out\/stacks\/prod\/cdk\.tf\.json\), whose variable "vault_kubernetes_ca_cert" has no default \(got "vault_kubernetes_ca_cert"\); add TF_VAR_vault_kubernetes_ca_cert: \$\{\{ secrets\.<NAME> \}\}/ },
  { id: 'W07', name: 'a stack gains a variable no job supplies', violate: s => { s.tf.prod.variable.region = { type: 'string' }; }, message: /^dist\/workflows\/cleanup-env\.yml#jobs\.destroy: env\.TF_VAR_region is missing: the job runs terraform destroy on stack prod .* whose variable "region" has no default/ },
  // Issue 24 item 4: Vault paths the pods read ↔ the policies of the role they log in with ↔ the stack's mounts and roles.
  { id: 'W08', name: 'the backup role\'s policy no longer grants the drill credentials', violate: s => { const p = tfResource(s, 'prod', 'vault_policy', 'Tenant-acme/Backup/Policy'); p.policy = p.policy.replace(/path "database-prod\/creds\/acme-drill" \{[^}]*\}/, ''); }, message: /^prod\/CronJob\/prod-acme\/backup-prod-acme-restore-drill: spec\.jobTemplate\.spec\.template\.metadata\.annotations\["vault\.hashicorp\.com\/agent-inject-secret-drill-pg-service\.conf"\] reads Vault path "database-prod\/creds\/acme-drill", which the policies of Vault role "prod-acme-backup" \(inopsio\/prod\/Vault\/Tenant-acme\/Backup\/KubernetesRole: \["prod-acme-backup"\]\) do not grant read: no path of them matches it \(got "database-prod\/creds\/acme-drill"\); grant read on "database-prod\/creds\/acme-drill" in a policy the role attaches/ },
  { id: 'W08', name: 'a policy denies what a broader path grants', violate: s => { const p = tfResource(s, 'prod', 'vault_policy', 'Tenant-acme/Policy'); p.policy += '\npath "database-prod/creds/+" {\n  capabilities = ["read"]\n}\npath "database-prod/creds/acme-db" {\n  capabilities = ["deny"]\n}\n'; }, message: /^inopsio\/prod\/Tenant-acme\/Module-billing: set \(podAnnotations\.vault\.hashicorp\.com\/agent-inject-secret-env-database-url\) reads Vault path "database-prod\/creds\/acme-db", which the policies of Vault role "acme" \(inopsio\/prod\/Vault\/Tenant-acme\/KubernetesRole: \["env-prod-tenant-acme"\]\) do not grant read: their most specific match "database-prod\/creds\/acme-db" grants \["deny"\]/ },
  { id: 'W08', name: 'the role attaches a policy the stack does not define', violate: s => { backupRole(s).token_policies = ['prod-acme-backups']; }, message: /backup-prod-acme: .*\["vault\.hashicorp\.com\/agent-inject-secret-offsite-access-key"\] reads Vault path "kv-prod\/data\/prod\/acme\/backup\/offsite-store", which the policies of Vault role "prod-acme-backup" \(inopsio\/prod\/Vault\/Tenant-acme\/Backup\/KubernetesRole: \[\]\) do not grant read: no path of them matches it; \["prod-acme-backups"\] resolve to no vault_policy of the stack/ },
  { id: 'W08', name: 'a KV v2 path without data/', violate: s => { const a = cronJob(s).spec.jobTemplate.spec.template.metadata.annotations; a['vault.hashicorp.com/agent-inject-secret-offsite-access-key'] = 'kv-prod/prod/acme/backup/offsite-store'; }, message: /backup-prod-acme: .*\["vault\.hashicorp\.com\/agent-inject-secret-offsite-access-key"\] reads Vault path "kv-prod\/prod\/acme\/backup\/offsite-store", which is under KV v2 mount kv-prod \(inopsio\/prod\/Vault\/Kv\) without its data\/ segment, so the agent reads nothing there \(got "kv-prod\/prod\/acme\/backup\/offsite-store"\); read kv-prod\/data\/prod\/acme\/backup\/offsite-store/ },
  { id: 'W08', name: 'a path under no mount of the stack', violate: s => { setValue(moduleRelease(s), 'agent-inject-secret-env-database-url').value = 'database/creds/acme-db'; }, message: /Module-billing: set \(podAnnotations\.vault\.hashicorp\.com\/agent-inject-secret-env-database-url\) reads Vault path "database\/creds\/acme-db", which lies under no secrets engine mount of the prod stack \(it mounts \[.*"database-prod".*\]\)/ },
  { id: 'W08', name: 'the database role the drill reads is not on the mount', violate: s => { tfResource(s, 'prod', 'vault_database_secret_backend_role', 'Tenant-acme/Backup/DrillDatabaseRole').name = 'acme-restore'; }, message: /backup-prod-acme-restore-drill: .* reads Vault path "database-prod\/creds\/acme-drill", which asks database mount database-prod \(inopsio\/prod\/Vault\/Database\) for role "acme-drill", which no vault_database_secret_backend_role of the prod stack defines on that mount/ },
  // Issue 24 item 4: metrics the alert rules read ↔ what the output emits or declares external.
  { id: 'W09', name: 'an alert reads a misspelt backup metric', violate: s => { alertRule(s, 'InopsioBackupStale').expr = alertRule(s, 'InopsioBackupStale').expr.replace('inopsio_backup_last_success_timestamp_seconds', 'inopsio_backup_last_sucess_timestamp_seconds'); }, message: /^prod\/PrometheusRule\/monitoring\/inopsio-prod-alerts: spec\.groups\[1\]\.rules\[0\]\.expr \(alert InopsioBackupStale\) reads metric "inopsio_backup_last_sucess_timestamp_seconds", which no recording rule of the prod output records, no generated script's metric catalogue declares, and src\/model\/external-metrics\.ts does not declare external \(up, kube_\*, nginx_ingress_controller_requests\); the output emits \["inopsio_backup_last_success_timestamp_seconds"\] \(the metric catalogue of ConfigMap prod-acme\/backup-prod-acme-scripts\) \(got "inopsio_backup_last_sucess_timestamp_seconds"\); read a metric the output emits/ },
  { id: 'W09', name: 'the last-activity recording rule is gone', violate: s => { const d = doc(s, 'PrometheusRule', 'inopsio-prod-alerts'); d.spec.groups = d.spec.groups.filter((g: any) => g.name !== 'inopsio-prod-activity'); }, message: /inopsio-prod-alerts: spec\.groups\[\d\]\.rules\[0\]\.expr \(alert InopsioTenantInactive\) reads metric "inopsio_tenant_last_activity_timestamp_seconds", which no recording rule of the prod output records/ },
  { id: 'W09', name: 'the backup scripts no longer declare a metric an alert reads', violate: s => { for (const c of s.k8s) for (const d of c.documents) if (d.kind === 'ConfigMap') for (const k of Object.keys(d.data ?? {})) d.data[k] = String(d.data[k]).replace(/^\s*'inopsio_backup_size_bytes\|.*$/gm, ''); }, message: /\(alert InopsioBackupSizeDrop\) reads metric "inopsio_backup_size_bytes", which no recording rule of the prod output records, no generated script's metric catalogue declares/ },
  { id: 'W09', name: 'an expression that does not parse', violate: s => { alertRule(s, 'InopsioTenantDown').expr = 'max by (env (up{env="prod"}) == 0'; }, message: /inopsio-prod-alerts: spec\.groups\[0\]\.rules\[1\]\.expr \(alert InopsioTenantDown\) does not parse as PromQL \(error at offset \d+\), so Prometheus refuses the rule group/ },
  // Issue 24 item 4: Jobs a workflow creates ↔ the quota of the tenant namespace in its state (idle is suspended).
  { id: 'W10', name: 'the suspended tenant\'s restore drill runs outside the backup PriorityClass', violate: s => { delete doc(s, 'CronJob', 'backup-prod-idle-restore-drill').spec.jobTemplate.spec.template.spec.priorityClassName; }, message: /^dist\/workflows\/decommission\.yml#jobs\.verify: jobs\.verify\.steps\[\d+\] \(Verify the final backup with a restore drill \(V13 step 2\)\) creates a Job from CronJob prod\/prod-idle\/backup-prod-idle-restore-drill \(no priority class\), which ResourceQuota tenant-quota-stopped of the suspended tenant namespace \(k8s\/prod\/idle\.k8s\.yaml\) does not admit: pods is 0; requests\.cpu needs 250m, hard 1m; .* \(got "prod-idle\/backup-prod-idle-restore-drill"\); give the CronJob's pods the backup PriorityClass/ },
  { id: 'W10', name: 'the backup quota of the suspended state is smaller than the final backup', violate: s => { doc(s, 'ResourceQuota', 'tenant-quota-backup', 'prod-idle').spec.hard['limits.memory'] = '256Mi'; }, message: /^dist\/workflows\/decommission\.yml#jobs\.backup: jobs\.backup\.steps\[\d+\] \(Final backup of every tenant \(V13 step 1\)\) creates a Job from CronJob prod\/prod-idle\/backup-prod-idle \(priority class inopsio-prod-backup\), which ResourceQuota tenant-quota-backup of the suspended tenant namespace \(k8s\/prod\/idle\.k8s\.yaml\) does not admit: limits\.memory needs 512Mi, hard 256Mi/ },
  { id: 'W10', name: 'a Job count quota of 0 (the active tenant)', violate: s => { quota(s).spec.hard['count/jobs.batch'] = '0'; }, message: /creates a Job from CronJob prod\/prod-acme\/backup-prod-acme \(priority class inopsio-prod-backup\), which ResourceQuota tenant-quota of the active tenant namespace \(k8s\/prod\/acme\.k8s\.yaml\) does not admit: count\/jobs\.batch is 0/ },
  // Issue 21 item 4: a destroy cannot be cancelled by a later provision, runs on no pull request event, and logs in
  // with a Vault role bound to the default branch and its GitHub environment.
  { id: 'W11', name: 'the decommission shares the provisioning group again (issue 21.4)', violate: s => { s.workflows['decommission.yml'] = s.workflows['decommission.yml'].replace('group: inopsio-decommission-${{ inputs.environment }}', 'group: inopsio-env-${{ inputs.environment }}'); }, message: /^dist\/workflows\/decommission\.yml#jobs\.destroy: concurrency\.group may equal the job-level group "inopsio-env-prod" of dist\/workflows\/tenant-upgrade\.yml job upgrade-prod \(it runs terraform apply\): dist\/workflows\/decommission\.yml job destroy runs terraform destroy, .*GitHub cancels a pending run or job of a group when another is queued, whatever cancel-in-progress says, so a later upgrade-prod cancels a pending destroy \(got "inopsio-env-\$\{\{ inputs\.environment \}\}"\); give destroying jobs a group prefix that no other job can have/ },
  { id: 'W11', name: 'a preview provision joins the cleanup\'s destroy group', violate: s => { s.workflows['preview.yml'] = s.workflows['preview.yml'].replace('group: inopsio-env-${{ needs.name.outputs.environment }}', 'group: inopsio-destroy-${{ needs.name.outputs.environment }}'); }, message: /^dist\/workflows\/cleanup-env\.yml#jobs\.destroy: jobs\.destroy\.concurrency\.group may equal the job-level group "inopsio-destroy-\$\{\{ needs\.name\.outputs\.environment \}\}" of dist\/workflows\/preview\.yml job provision \(it runs terraform apply\): dist\/workflows\/cleanup-env\.yml job destroy runs vault lease revoke, .*terraform destroy.*, so a later provision cancels a pending destroy/ },
  { id: 'W11', name: 'the cleanup destroy may be cancelled in progress', violate: s => { s.workflows['cleanup-env.yml'] = s.workflows['cleanup-env.yml'].replace('group: inopsio-destroy-${{ matrix.environment }}\n      cancel-in-progress: false', 'group: inopsio-destroy-${{ matrix.environment }}\n      cancel-in-progress: true'); }, message: /^dist\/workflows\/cleanup-env\.yml#jobs\.destroy: jobs\.destroy\.concurrency\.cancel-in-progress is not false: a later run of group "inopsio-destroy-\$\{\{ matrix\.environment \}\}" cancels dist\/workflows\/cleanup-env\.yml job destroy while it runs vault lease revoke, .*terraform destroy.* \(got true\); set cancel-in-progress: false/ },
  { id: 'W11', name: 'a destroy job in no concurrency group', violate: s => { s.workflows['cleanup-env.yml'] = s.workflows['cleanup-env.yml'].replace('    concurrency:\n      group: inopsio-destroy-${{ matrix.environment }}\n      cancel-in-progress: false\n', ''); }, message: /^dist\/workflows\/cleanup-env\.yml#jobs\.destroy: jobs\.destroy\.concurrency is missing: dist\/workflows\/cleanup-env\.yml job destroy runs vault lease revoke, .*terraform destroy.* in no concurrency group/ },
  { id: 'W11', name: 'the cleanup runs on pull_request: closed again (issue 21.4)', violate: s => { s.workflows['cleanup-env.yml'] = s.workflows['cleanup-env.yml'].replace('"on":\n', '"on":\n  pull_request:\n    types:\n      - closed\n'); }, message: /^dist\/workflows\/cleanup-env\.yml#jobs\.destroy: on\.pull_request triggers dist\/workflows\/cleanup-env\.yml job destroy, which runs vault lease revoke, .*terraform destroy.* with id-token: write: a pull request's YAML would run with the destroy's credentials \(got "pull_request"\)/ },
  { id: 'W11', name: 'the decommission role is bound to pull request refs', compliant: s => ciAuth(s, {}), violate: s => ciAuth(s, { ref: 'refs/pull/*/merge' }), message: /^dist\/workflows\/decommission\.yml#jobs\.destroy: jobs\.destroy\.steps\[\d+\] \(Log in to Vault with the GitHub OIDC token \(role ci-\$\{\{ inputs\.environment \}\}-decommission\)\) logs in with Vault role "ci-prod-decommission" \(cdktf\.out\/stacks\/prod\/cdk\.tf\.json\), which is bound to ref "refs\/pull\/\*\/merge", not to one branch: a run of dist\/workflows\/decommission\.yml job destroy from another branch or a pull request gets the destroy's token/ },
  { id: 'W11', name: 'the decommission role is bound to another GitHub environment', compliant: s => ciAuth(s, {}), violate: s => ciAuth(s, { environment: 'prod' }), message: /^dist\/workflows\/decommission\.yml#jobs\.revoke: jobs\.revoke\.steps\[\d+\] .* logs in with Vault role "ci-prod-decommission" \(cdktf\.out\/stacks\/prod\/cdk\.tf\.json\), which is bound to GitHub environment "prod", not "decommission" that dist\/workflows\/decommission\.yml job revoke runs in \(got "prod"\); bind the role's environment claim to "decommission"/ },
  { id: 'W06', name: 'the CA ConfigMap is not declared a prerequisite (issue 24)', violate: s => { delete doc(s, 'CronJob', 'backup-prod-acme').spec.jobTemplate.spec.template.metadata.annotations['lifecycle.inopsio.io/prerequisites']; }, message: /^prod\/CronJob\/prod-acme\/backup-prod-acme: spec\.jobTemplate\.spec\.template\.spec\.volumes\[\d+\]\.configMap\.name references ConfigMap "postgres-ca", which is neither in the output of namespace prod-acme nor declared a prerequisite of the CronJob \(lifecycle\.inopsio\.io\/prerequisites\) \(got "postgres-ca"\); generate the ConfigMap, or declare "configmap\/postgres-ca"/ },
  { id: 'W06', name: 'the scripts ConfigMap of another name', violate: s => { backupPod(s).volumes.find((v: any) => v.configMap?.name === 'backup-prod-acme-scripts').configMap.name = 'backup-scripts'; }, message: /backup-prod-acme: spec\.jobTemplate\.spec\.template\.spec\.volumes\[\d+\]\.configMap\.name references ConfigMap "backup-scripts", which is neither in the output/ },
  { id: 'W06', name: 'a Secret read from env, not generated', compliant: s => { container(s).env.push({ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api-token', key: 'token', optional: true } } }); }, violate: s => { container(s).env.push({ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api-token', key: 'token' } } }); }, message: /containers\[0\]\.env\[\d+\]\.valueFrom\.secretKeyRef\.name references Secret "api-token", which is neither in the output of namespace prod-acme/ },
  { id: 'T01', name: 'a validation condition without "${...}" (what Terraform refused in issue 24)', violate: s => { s.tf.prod.variable.vault_address.validation[0].condition = 'can(regex("^https://", var.vault_address))'; }, message: /^prod\/variable\.vault_address: validation\[0\]\.condition holds Terraform expression text \(var\.vault_address\) outside "\$\{\.\.\.\}", so Terraform reads it as a literal string \(got "can\(regex/ },
  { id: 'T01', name: 'a Helm set value that names a variable literally', violate: s => { moduleRelease(s).set.push({ name: 'database.host', type: 'string', value: 'var.database_host' }); }, message: /^inopsio\/prod\/Tenant-acme\/Module-billing: set\[\d+\]\.value holds Terraform expression text \(var\.database_host\)/ },
  { id: 'T01', name: 'a resource attribute read as text', violate: s => { tenantPolicy(s).name = 'vault_mount.Vault_Kv_1234.path'; }, message: /Tenant-acme\/Policy: name holds Terraform expression text \(vault_mount\.Vault_Kv_1234\.path\)/ },
  { id: 'T01', name: 'a whole function call as a literal', violate: s => { s.tf.prod.provider.vault[0].address = 'lookup(local.addresses, "prod")'; }, message: /^prod\/provider\.vault\[0\]: address holds Terraform expression text \(local\.addresses\)/ },
  { id: 'T01', name: 'a function call without references', violate: s => { dbRole(s).name = 'format("%s-db", "acme")'; }, message: /DatabaseRole: name holds Terraform expression text \(format\(\.\.\.\)\)/ },
  // Issue 21 item 3: production tenant data is protected from an ordinary apply.
  { id: 'T02', name: 'the namespace-bearing base release of a production tenant without prevent_destroy', violate: s => { delete tfResource(s, 'prod', 'helm_release', 'Tenant-acme/Base').lifecycle; }, message: /^inopsio\/prod\/Tenant-acme\/Base: lifecycle\.prevent_destroy is not true on helm_release "Tenant-acme_Base_[0-9A-F]+" of permanent environment prod, so an apply can delete or replace this tenant data \(got undefined\); synthesize the stack with EnvironmentStack/ },
  { id: 'T02', name: 'the KV mount of production with prevent_destroy false', violate: s => { tfResource(s, 'prod', 'vault_mount', 'Vault/Kv').lifecycle.prevent_destroy = false; }, message: /^inopsio\/prod\/Vault\/Kv: lifecycle\.prevent_destroy is not true on vault_mount "Vault_Kv_[0-9A-F]+" of permanent environment prod.* \(got false\)/ },
  { id: 'B03', name: 'duplicate object across files', violate: s => addDocs(s, 'k8s/prod/extra.k8s.yaml', JSON.parse(JSON.stringify(viewer(s)))), message: /^prod\/Role\/prod-acme\/tenant-viewer: metadata\.name duplicates prod\/Role\/prod-acme\/tenant-viewer in k8s\/prod\/acme\.k8s\.yaml/ },
  { id: 'B03', name: 'duplicate Helm release', violate: s => { moduleRelease(s).name = 'acme-base'; }, message: /name duplicates inopsio\/prod\/Tenant-acme\/Base/ },
  { id: 'B13', name: 'AWS key in a file', compliant: s => { s.texts['dist/notes.txt'] = 'nothing secret here'; }, violate: s => { s.texts['dist/notes.txt'] = 'key id AKIAZ7RQ3XJ5MB2WK4PL'; }, message: /^dist\/notes\.txt: line 1 column 8 contains aws access key \(got "AKIA…\(20 chars\)"\)/ },
  // Issue 15: a Stripe live key under a neutral name (as in module values delivered by Argo CD) was reported "passed".
  { id: 'B13', name: 'Stripe live key in a chart asset', violate: s => { s.texts['dist/charts/prod/acme/values.yaml'] = 'upstream: sk_live_51HqLyjWDarjtT1zdp7dcXk3jH8sLq9Pz\n'; }, message: /^dist\/charts\/prod\/acme\/values\.yaml: line 1 column 11 contains provider token \(rule stripe-access-token\) \(got "sk_l…\(41 chars\)"\)/ },
  { id: 'B13', name: 'Slack token in an Argo CD Application parameter', violate: s => { doc(s, 'ConfigMap', 'backup-prod-acme-scripts').data['app.json'] = JSON.stringify({ helm: { parameters: [{ name: 'env.UPSTREAM', value: 'xoxb-2934567890123-2934567890123-aB3dE5fG7hJ9kL1mN3pQ5rS7' }] } }); }, message: /\.data\["app\.json"\].* contains provider token \(rule slack-bot-token\) \(got "xoxb…\(57 chars\)"\)/ },
  { id: 'B13', name: 'password in a manifest', violate: s => { doc(s, 'ConfigMap', 'backup-prod-acme-scripts').data['db.conf'] = 'password: hunter22'; }, message: /^k8s\/prod\/acme\.k8s\.yaml: \[\d+\]\.data\["db\.conf"\] line 1 \(password\) contains password literal/ },
  { id: 'B17', name: 'reserved prefix', violate: s => { viewer(s).metadata.labels['kubernetes.io/tenant'] = 'acme'; }, message: /metadata\.labels\["kubernetes\.io\/tenant"\] uses a prefix reserved for Kubernetes/ },
  { id: 'B17', name: 'invalid key', violate: s => { viewer(s).metadata.annotations = { 'owner team': 'ops' }; }, message: /metadata\.annotations\["owner team"\] key has a name part that is not 1-63 alphanumerics/ },
  { id: 'B18', name: 'boolean label value', violate: s => { viewer(s).metadata.labels.critical = true; }, message: /metadata\.labels\["critical"\] is not a string after YAML 1\.1 parsing \(got true\)/ },
  { id: 'B18', name: 'octal ConfigMap value', violate: s => { doc(s, 'ConfigMap', 'backup-prod-acme-scripts').data.mode = 493; }, message: /data\["mode"\] is not a string after YAML 1\.1 parsing \(got 493\)/ },
];

describe('policy rules: compliant and non-compliant fixtures', () => {
  const base = baseState();
  const baseReport = evaluate(base);

  test('the compliant base (production manifests with backups, observability and Argo CD; prod and staging stacks; workflows) has no finding', () => {
    expect(baseReport.findings.map(f => f.message)).toEqual([]);
  });

  test.each(CASES.map(c => [c.id, c.name, c] as const))('%s: fails if %s', (id, _name, c) => {
    const ok = baseState();
    c.compliant?.(ok);
    const okReport = c.compliant ? evaluate(ok) : baseReport;
    expect(okReport.rules.find(r => r.id === id)?.status).toBe(PolicyRuleStatus.PASSED);
    c.violate(ok);
    const bad = evaluate(ok);
    const rule = bad.rules.find(r => r.id === id)!;
    expect(rule.status).toBe(PolicyRuleStatus.FAILED);
    const messages = bad.findings.filter(f => f.ruleId === id).map(f => f.message);
    expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(c.message)]));
    for (const m of messages) expect(m).toMatch(new RegExp(` \\(${id}\\)$`));
  });

  test('every rule of the default pack has at least one case in this table', () => {
    const covered = new Set(CASES.map(c => c.id));
    expect(PolicyPack.default().ruleIds.filter(id => !covered.has(id))).toEqual([]);
  });
});

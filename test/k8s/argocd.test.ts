import { Testing } from 'cdk8s';
import { ARGOCD_RESOURCES_FINALIZER, ArgoCdApplication, ArgoCdApplicationProps } from '../../src/k8s/argocd-application';
import { MigrationHookKind, SchemaMigrationHook, SchemaMigrationHookProps } from '../../src/k8s/argocd-migration-hook';
import { ArgoCdTenantProject, TENANT_GUARD_RAIL_KINDS } from '../../src/k8s/argocd-project';
import { buildInventory } from '../../src/lifecycle/inventory';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { Tenant, TenantState } from '../../src/model/tenant';
import { expectValidManifests } from '../support/strict-validator';

const billing = {
  name: 'billing',
  chart: 'billing-api',
  repository: 'https://charts.inopsio.example',
  version: '3.4.1',
  values: { 'replicaCount': '2', 'env.DATABASE_URL': "{{ vault('database/creds/tenant-db') }}", 'ingress.hosts[0]': 'a.example,b.example' },
};
const reports = { name: 'reports', chart: 'team/reports', repository: 'oci://registry.inopsio.example/charts', version: '1.0.0-rc.1' };
const tenantProps = { id: 'acme', modules: [billing, reports] };
const database = { host: 'postgres.databases.svc' };
const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database, tenants: [tenantProps, { id: 'idle', state: TenantState.SUSPENDED, modules: [billing] }] });
const staging = new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, database, tenants: [tenantProps] });
const dev = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', database, tenants: [tenantProps] });
const acme = (env: Environment) => env.tenants.find(t => t.id === 'acme')!;
const IMAGE = `registry.inopsio.example/platform/billing-migrate@sha256:${'0123456789abcdef'.repeat(4)}`;
const image = (ref: string = IMAGE, allowedRegistries?: string[]) => ContainerImage.fromDigest(ref, { allowedRegistries });

function synthApp(props: Partial<ArgoCdApplicationProps> & { environment: Environment }): any {
  const chart = Testing.chart();
  new ArgoCdApplication(chart, 'App', { tenant: acme(props.environment), module: 'billing', ...props });
  return Testing.synth(chart)[0];
}

function synthHook(props: Partial<SchemaMigrationHookProps> = {}): any[] {
  const chart = Testing.chart();
  new SchemaMigrationHook(chart, 'Migrate', { environment: prod, tenant: acme(prod), module: 'billing', image: image(), command: ['/app/migrate', 'up'], ...props });
  return Testing.synth(chart);
}

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('ArgoCdApplication', () => {
  test('defaults (production): snapshot, and valid against the Argo CD CRD', () => {
    const app = synthApp({ environment: prod });
    expect(app).toMatchSnapshot();
    expectValidManifests([app]);
  });

  test('negative control: the strict validator rejects a misspelt Application field, so the validations here can fail', () => {
    const app = synthApp({ environment: prod });
    app.spec.syncPolicy.automated.selfheal = true;
    expect(() => expectValidManifests([app])).toThrow(/selfheal/);
  });

  test('source: the module chart at its exact version, release name shared with Helm and the inventory', () => {
    const app = synthApp({ environment: prod });
    expect(app.metadata).toMatchObject({ name: 'prod-acme-billing', namespace: 'argocd', finalizers: [ARGOCD_RESOURCES_FINALIZER] });
    expect(app.metadata.labels).toMatchObject({ 'env': 'prod', 'tenant': 'acme', 'lifecycle.inopsio.io/module': 'billing', 'app.kubernetes.io/managed-by': 'inopsio-env-lifecycle' });
    expect(app.spec.source).toMatchObject({
      repoURL: 'https://charts.inopsio.example',
      chart: 'billing-api',
      targetRevision: '3.4.1',
      helm: { releaseName: 'acme-billing' },
    });
    // Plain values as Helm receives them from --set-string (the comma escaped, so the chart gets one string); replica
    // counts as numbers (--set), as Terraform's `auto` gives them.
    expect(app.spec.source.helm.parameters).toEqual(expect.arrayContaining([
      { name: 'ingress.hosts[0]', value: 'a.example\\,b.example', forceString: true },
      { name: 'replicaCount', value: '2', forceString: false },
    ]));
    const module = buildInventory([prod]).environments[0].tenants[0].modules[0];
    expect(module).toMatchObject({ release: app.spec.source.helm.releaseName, argoCdApplication: app.metadata.name });
  });

  test('Vault references are never rendered into the Application: the pod gets the delivery (annotations, file, token, service account)', () => {
    const chart = Testing.chart();
    const construct = new ArgoCdApplication(chart, 'App', { environment: prod, tenant: acme(prod), module: 'billing' });
    const [app] = Testing.synth(chart);
    expect(JSON.stringify(app)).not.toMatch(/vault\(|"env\.DATABASE_URL"/);
    const params = Object.fromEntries(app.spec.source.helm.parameters.map((p: any) => [p.name, p.value]));
    expect(params).toMatchObject({
      'env.DATABASE_URL_FILE': '/vault/secrets/env-database-url',
      'serviceAccount.name': 'billing',
      'podAnnotations.vault\\.hashicorp\\.com/role': 'acme',
      'podAnnotations.vault\\.hashicorp\\.com/auth-path': 'auth/kubernetes-prod',
      'podAnnotations.vault\\.hashicorp\\.com/agent-inject-secret-env-database-url': 'database-prod/creds/acme-db',
      'podAnnotations.vault\\.hashicorp\\.com/agent-service-account-token-volume-name': 'vault-token',
      'volumes[0].projected.sources[0].serviceAccountToken.audience': 'vault',
    });
    expect(construct.secretDeliveries.map(d => [d.valuePath, d.refs.map(r => r.path)])).toEqual([['env.DATABASE_URL', ['database-prod/creds/acme-db']]]);
  });

  test('destination: the tenant namespace, which Terraform owns (CreateNamespace=false)', () => {
    const app = synthApp({ environment: prod });
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'prod-acme' });
    expect(app.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=false', 'FailOnSharedResource=true', 'PrunePropagationPolicy=foreground', 'PruneLast=true']);
    expect(app.spec.project).toBe('prod-acme');
  });

  test('sync policy: self-heal everywhere; prune automatically except in permanent classes; retries with backoff', () => {
    expect(synthApp({ environment: prod }).spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true, allowEmpty: false });
    expect(synthApp({ environment: staging }).spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true, allowEmpty: false });
    expect(synthApp({ environment: prod, prune: true }).spec.syncPolicy.automated.prune).toBe(true);
    expect(synthApp({ environment: prod }).spec.syncPolicy.retry).toEqual({ limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } });
  });

  test('a suspended tenant: replicas 0, synced without prune and without migration hooks; resuming restores the declared size', () => {
    const hooks = { repoUrl: 'https://github.com/inopsio/platform.git', targetRevision: 'v1.2.3' };
    const appOf = (state: TenantState, replicaKeys?: string[]) => {
      const env = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants: [{ id: 'idle', state, modules: [{ ...billing, replicaKeys }] }] });
      const chart = Testing.chart();
      new ArgoCdApplication(chart, 'App', { environment: env, tenant: env.tenants[0], module: 'billing', migrationHooks: hooks });
      return Testing.synth(chart)[0];
    };
    const replicas = (app: any) => (app.spec.source ?? app.spec.sources[0]).helm.parameters.filter((p: any) => /replica/i.test(p.name));
    for (const state of [TenantState.SUSPENDED, TenantState.ARCHIVED]) {
      const app = appOf(state);
      expect(replicas(app)).toEqual([{ name: 'replicaCount', value: '0', forceString: false }]);
      // Automated sync stays on (self-heal), so the scale to zero is applied and kept; nothing is pruned.
      expect(app.spec.syncPolicy.automated).toEqual({ prune: false, selfHeal: true, allowEmpty: false });
      // The quota admits no hook Job: no second source while suspended.
      expect(app.spec.sources).toBeUndefined();
      expectValidManifests([app]);
    }
    expect(replicas(appOf(TenantState.SUSPENDED, ['replicaCount', 'worker.replicaCount']))).toEqual([
      { name: 'replicaCount', value: '0', forceString: false }, { name: 'worker.replicaCount', value: '0', forceString: false },
    ]);
    const resumed = appOf(TenantState.ACTIVE);
    expect(replicas(resumed)).toEqual([{ name: 'replicaCount', value: '2', forceString: false }]);
    expect(resumed.spec.sources).toHaveLength(2);
  });

  test('OCI charts: repoURL without the scheme, as Argo CD expects for Helm OCI repositories', () => {
    const app = synthApp({ environment: prod, module: 'reports' });
    expect(app.spec.source).toMatchObject({ repoURL: 'registry.inopsio.example/charts', chart: 'team/reports', targetRevision: '1.0.0-rc.1' });
    expect(app.spec.source.helm.parameters).toEqual([{ name: 'serviceAccount.name', value: 'reports', forceString: true }]);
    expectValidManifests([app]);
  });

  test('with migration hooks: a second source reads the rendered PreSync hooks from git', () => {
    const app = synthApp({ environment: prod, migrationHooks: { repoUrl: 'https://github.com/inopsio/platform.git', targetRevision: 'v2026.11.0' } });
    expect(app.spec.source).toBeUndefined();
    expect(app.spec.sources).toEqual([
      expect.objectContaining({ chart: 'billing-api', targetRevision: '3.4.1' }),
      { repoURL: 'https://github.com/inopsio/platform.git', path: 'argocd-hooks/prod/acme/billing', targetRevision: 'v2026.11.0', directory: { recurse: false } },
    ]);
    expectValidManifests([app]);
  });

  test('fails for a Helm class (the module would get two owners), an unknown module and bad sources, all at once', () => {
    const m = message(() => synthApp({ environment: dev, module: 'payroll', destinationServer: 'http://user:pw@cluster', migrationHooks: { repoUrl: 'https://token@github.com/x.git', targetRevision: 'HEAD', path: '../../etc' } }));
    expect(m).toMatch(/^6 problems:/);
    expect(m).toMatch(/environment has class development, which upgrades with helm; an Application would give the module a second owner \(got "dev"\); use UpgradeStrategy.ARGO_CD/);
    expect(m).toMatch(/module is not a module of tenant acme \(got "payroll"\); use one of billing, reports/);
    expect(m).toMatch(/destinationServer is not an https URL without credentials/);
    expect(m).toMatch(/migrationHooks.repoUrl is not a git URL without inline credentials/);
    expect(m).toMatch(/migrationHooks.targetRevision is not a pinned revision \(got "HEAD"\)/);
    expect(m).toMatch(/migrationHooks.path is not a relative folder/);
  });
});

describe('SchemaMigrationHook', () => {
  test('defaults: snapshot, valid against the schemas of the default target (Kubernetes 1.35)', () => {
    const docs = synthHook();
    expect(docs).toMatchSnapshot();
    expectValidManifests(docs);
  });

  test('a PreSync hook Job, recreated on each sync and deleted when it succeeds, after its ServiceAccount (wave -1)', () => {
    const [sa, job] = synthHook();
    expect(sa.kind).toBe('ServiceAccount');
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(sa.metadata.annotations).toEqual({ 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation', 'argocd.argoproj.io/sync-wave': '-1' });
    expect(job.kind).toBe('Job');
    expect(job.metadata).toMatchObject({ name: 'billing-migrate', namespace: 'prod-acme' });
    expect(job.metadata.annotations).toEqual({ 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded' });
    expect(job.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 1800, ttlSecondsAfterFinished: 86400 });
  });

  test('hardened pod: non-root 10001, read-only root, no escalation, drop ALL, seccomp RuntimeDefault, no token, limits, digest image', () => {
    const pod = synthHook()[1].spec.template.spec;
    expect(pod).toMatchObject({
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      serviceAccountName: 'billing-migrate',
      securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    });
    expect(pod.hostNetwork ?? pod.hostPID ?? pod.hostIPC).toBeUndefined();
    const [c] = pod.containers;
    expect(c).toMatchObject({
      image: IMAGE,
      imagePullPolicy: 'Always',
      command: ['/app/migrate', 'up'],
      securityContext: {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
      resources: {
        requests: { 'cpu': '100m', 'memory': '256Mi', 'ephemeral-storage': '64Mi' },
        limits: { 'cpu': '1', 'memory': '512Mi', 'ephemeral-storage': '256Mi' },
      },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    });
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
  });

  test('Vault credentials: injector init container only, with a token bound to the vault audience (not the API server)', () => {
    const docs = synthHook({ vault: { role: 'acme-migrate', secretPath: 'database-prod/creds/acme-migrate', authPath: 'auth/kubernetes-prod' }, env: { LOG_LEVEL: 'info' } });
    const pod = docs[1].spec.template;
    expect(pod.metadata.annotations).toEqual({
      'vault.hashicorp.com/agent-inject': 'true',
      'vault.hashicorp.com/agent-pre-populate-only': 'true',
      'vault.hashicorp.com/role': 'acme-migrate',
      'vault.hashicorp.com/auth-path': 'auth/kubernetes-prod',
      'vault.hashicorp.com/agent-inject-secret-db': 'database-prod/creds/acme-migrate',
      'vault.hashicorp.com/agent-service-account-token-volume-name': 'vault-token',
      // K25, K32: the agent runs as the migration's UID and is sized.
      'vault.hashicorp.com/agent-run-as-user': '10001',
      'vault.hashicorp.com/agent-run-as-group': '10001',
      'vault.hashicorp.com/agent-requests-cpu': '50m',
      'vault.hashicorp.com/agent-limits-cpu': '250m',
      'vault.hashicorp.com/agent-requests-mem': '64Mi',
      'vault.hashicorp.com/agent-limits-mem': '128Mi',
      'vault.hashicorp.com/agent-requests-ephemeral': '64Mi',
      'vault.hashicorp.com/agent-limits-ephemeral': '128Mi',
    });
    // The service account is the one the tenant's migration Vault role binds (VaultBootstrap, migrationNames).
    expect(pod.spec.serviceAccountName).toBe('billing-migrate');
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(pod.spec.volumes[1]).toEqual({ name: 'vault-token', projected: { sources: [{ serviceAccountToken: { audience: 'vault', path: 'token', expirationSeconds: 600 } }] } });
    expect(pod.spec.containers[0].env).toEqual([{ name: 'LOG_LEVEL', value: 'info' }]);
    expectValidManifests(docs);
  });

  test('Helm classes: pre-install/pre-upgrade hooks instead of PreSync', () => {
    const [sa, job] = synthHook({ hookKind: MigrationHookKind.HELM_PRE_UPGRADE });
    expect(sa.metadata.annotations).toEqual({ 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-delete-policy': 'before-hook-creation', 'helm.sh/hook-weight': '-1' });
    expect(job.metadata.annotations).toEqual({ 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded', 'helm.sh/hook-weight': '0' });
  });

  test.each([
    ['a Vault auth path that is not a login path', { vault: { role: 'acme-migrate', secretPath: 'database-prod/creds/acme-migrate', authPath: 'kubernetes-prod' } }, /vault.authPath is not an auth login path \(got "kubernetes-prod"\); use e.g. "auth\/kubernetes-prod"/],
    ['an image that is not a ContainerImage (a bare string with a tag)', { image: 'registry.inopsio.example/platform/migrate:latest' as any }, /image is not a ContainerImage .*ContainerImage.fromDigest/],
    ['credentials in env (K42)', { env: { DATABASE_URL: 'postgres://app:s3cret@db:5432/acme' } }, /env.DATABASE_URL holds a credential or a Vault reference \(got "\(redacted\)"\)/],
    ['a Vault reference in env', { env: { DATABASE_URL: "{{ vault('database/creds/acme-db') }}" } }, /env.DATABASE_URL holds a credential or a Vault reference/],
    ['milli-bytes of memory (B09)', { resources: { memoryLimit: '512m' } }, /resources.memoryLimit uses the milli\/micro\/nano suffix "m" for bytes/],
    ['requests above limits', { resources: { cpuRequest: '2', cpuLimit: '1' } }, /resources.cpuRequest is greater than cpuLimit 1/],
    ['too many retries (K38)', { backoffLimit: 6 }, /backoffLimit must be 1, 2 or 3/],
    ['an empty command', { command: [] }, /command is empty/],
    ['a templated Vault path (B07)', { vault: { role: 'acme-migrate', secretPath: 'database-prod/creds/{{identity.entity.name}}' } }, /vault.secretPath is not a plain Vault path/],
    ['a module the tenant does not have', { module: 'payroll' }, /module is not a module of tenant acme/],
  ])('fails for %s', (_name, props, expected) => {
    expect(() => synthHook(props as Partial<SchemaMigrationHookProps>)).toThrow(expected);
  });

  test('lists every problem at once', () => {
    expect(message(() => synthHook({ image: 'nginx:latest' as any, backoffLimit: 0, command: [] }))).toMatch(/^3 problems:/);
  });

  test('the image rules are ContainerImage\'s (B10): digest, explicit registry, allowed registries', () => {
    expect(() => image('registry.inopsio.example/platform/migrate:latest')).toThrow(/has no digest/);
    expect(() => image(`migrate@sha256:${'a'.repeat(64)}`)).toThrow(/names no registry/);
    expect(() => image(IMAGE, ['ghcr.io'])).toThrow(/comes from registry "registry.inopsio.example", which is not allowed/);
  });
});

describe('ArgoCdTenantProject', () => {
  test('restricts the tenant\'s Applications to its repositories and namespace, no cluster-scoped objects, no guard rails', () => {
    const chart = Testing.chart();
    const project = new ArgoCdTenantProject(chart, 'Project', { environment: prod, tenant: acme(prod), additionalSourceRepos: ['https://github.com/inopsio/platform.git'] });
    const docs = Testing.synth(chart);
    expect(project.projectName).toBe('prod-acme');
    expect(docs[0].spec).toEqual({
      description: 'Modules of tenant acme in environment prod',
      sourceRepos: ['https://charts.inopsio.example', 'https://github.com/inopsio/platform.git', 'registry.inopsio.example/charts'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'prod-acme' }],
      clusterResourceWhitelist: [],
      namespaceResourceBlacklist: TENANT_GUARD_RAIL_KINDS.map(k => ({ ...k })),
    });
    expectValidManifests(docs);
  });

  test('an Application and its project synthesize together and validate', () => {
    const chart = Testing.chart();
    const tenant: Tenant = acme(staging);
    new ArgoCdTenantProject(chart, 'Project', { environment: staging, tenant });
    for (const m of tenant.modules) new ArgoCdApplication(chart, `App-${m.name}`, { environment: staging, tenant, module: m.name });
    const docs = Testing.synth(chart);
    expect(docs.map(d => `${d.kind}/${d.metadata.name}`)).toEqual(['AppProject/staging-acme', 'Application/staging-acme-billing', 'Application/staging-acme-reports']);
    expectValidManifests(docs);
  });

  test('fails for wildcard or credentialed repositories', () => {
    expect(() => new ArgoCdTenantProject(Testing.chart(), 'P', { environment: prod, tenant: acme(prod), additionalSourceRepos: ['*', 'https://u:p@git.example/x.git'] }))
      .toThrow(/2 problems:[\s\S]*additionalSourceRepos\[0\][\s\S]*additionalSourceRepos\[1\]/);
  });
});

/**
 * Issue 15, read from the synthesized output of a whole platform (dev, a preview, staging, production): every pod
 * that reads Vault (module pods through Terraform's helm_release or Argo CD's Application, backup and restore-drill
 * CronJobs, schema-migration hooks) presents a token its role accepts, and the role's policies grant exactly what
 * the pod reads — evaluated with Vault's path-matching semantics (test/support/vault-acl.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing as K8sTesting } from 'cdk8s';
import { App, TerraformStack, Testing } from 'cdktf';
import { parseAllDocuments } from 'yaml';
import { backupProps, githubProps } from './fixtures';
import { ArgoCdApplication } from '../../src/k8s/argocd-application';
import { previewVaultHost } from '../../src/model/ci-access';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass, UpgradeStrategy } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { tenantVaultNames } from '../../src/model/names';
import { TenantModuleProps, TenantProps } from '../../src/model/tenant';
import { Platform } from '../../src/platform/platform';
import { TenantRelease } from '../../src/tf/tenant-release';
import { effectiveHelmValues, terraformLiteral } from '../support/helm-values';
import { allows, mergePolicies, VaultAcl } from '../support/vault-acl';

const CREATED_AT = '2026-11-28T09:00:00Z';
const DATABASE = { host: 'postgres.databases.svc' };
const MIGRATE_IMAGE = ContainerImage.fromDigest(`registry.inopsio.example/platform/billing-migrate@sha256:${'0123456789abcdef'.repeat(4)}`);
const billing: TenantModuleProps = {
  // The Platform wires the hook: a PreSync hook where Argo CD upgrades, a pre-upgrade hook of the tenant base where Helm does.
  migration: { image: MIGRATE_IMAGE, command: ['/app/migrate', 'up'] },
  name: 'billing',
  chart: 'billing-api',
  repository: 'https://charts.inopsio.example',
  version: '3.4.1',
  values: {
    'replicaCount': '2',
    'ingress.hosts[0]': 'a.example,b.example',
    'env.DATABASE_URL': "{{ vault('database/creds/tenant-db') }}",
    'env.DB_PASSWORD': "{{ vault('database/creds/tenant-db', 'password') }}",
    'env.STRIPE_KEY': '{{ vault("kv/data/stripe", "api_key") }}',
  },
};
const tenants: TenantProps[] = [{ id: 'acme', modules: [billing] }, { id: 'globex', modules: [billing] }, { id: 'initech' }];

function environments(): Environment[] {
  return [
    new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: CREATED_AT, database: DATABASE, tenants }),
    Environment.preview({ branch: 'feature/vault', owner: 'dana@inopsio.example', createdAt: CREATED_AT, database: DATABASE, tenants: [tenants[0]] }),
    new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, database: DATABASE, tenants }),
    new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: DATABASE, tenants }),
  ];
}

/** One pod (template) that logs in to Vault, as the output describes it. */
interface Login {
  readonly what: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly role: string;
  readonly authPath: string;
  /** Audience of the token the agent presents (undefined: the pod's default token, the API server's audience). */
  readonly audience?: string;
  /** Every Vault path the agent reads. */
  readonly reads: string[];
}

const ANNOTATION = 'vault.hashicorp.com/';

function loginFromAnnotations(
  what: string, namespace: string, serviceAccount: string, annotations: Record<string, string>,
  audienceOfVolume: (name: string) => string | undefined,
): Login {
  const volume = annotations[`${ANNOTATION}agent-service-account-token-volume-name`];
  return {
    what,
    namespace,
    serviceAccount,
    role: annotations[`${ANNOTATION}role`],
    authPath: annotations[`${ANNOTATION}auth-path`],
    audience: volume ? audienceOfVolume(volume) : undefined,
    reads: Object.entries(annotations).filter(([k]) => k.startsWith(`${ANNOTATION}agent-inject-secret-`)).map(([, v]) => v),
  };
}

/** A module's pods, from its effective Helm values (what the chart puts on the Deployment's pod template). */
function loginFromValues(what: string, namespace: string, values: any): Login {
  return loginFromAnnotations(what, namespace, values.serviceAccount?.name, values.podAnnotations ?? {}, name => {
    const v = (values.volumes ?? []).find((x: any) => x.name === name);
    return v?.projected?.sources?.[0]?.serviceAccountToken?.audience;
  });
}

function podTemplateOf(doc: any): any {
  if (doc.kind === 'CronJob') return doc.spec.jobTemplate.spec.template;
  if (['Job', 'Deployment', 'StatefulSet', 'DaemonSet'].includes(doc.kind)) return doc.spec.template;
  return undefined;
}

interface Role {
  readonly name: string;
  readonly backend: string;
  readonly names: string[];
  readonly namespaces: string[];
  readonly audience?: string;
  readonly acl: VaultAcl;
}

interface EnvOutput {
  readonly env: Environment;
  readonly logins: Login[];
  readonly roles: Role[];
  /** Effective Helm values of each module release, by `<tenant>/<module>`. */
  readonly moduleValues: Map<string, any>;
  /** Every Vault policy of the stack, by name. */
  readonly policies: Map<string, string>;
}

function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map(f => path.join(dir, f)).filter(f => fs.statSync(f).isFile());
}

/** The Vault policies of an environment's stack, by name. */
function stackPolicies(dir: string, env: string): Map<string, string> {
  const tf = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', env, 'cdk.tf.json'), 'utf8'));
  return new Map<string, string>(Object.values(tf.resource?.vault_policy ?? {}).map((p: any) => [p.name, p.policy]));
}

/** A Vault ACL template naming the namespace of the service account a token logged in with (Kubernetes auth alias metadata). */
const NAMESPACE_TEMPLATE = /\{\{identity\.entity\.aliases\..*?\.metadata\.service_account_namespace\}\}/g;

/**
 * `hostPolicies`: the policies of the previews' host stack, where a preview's roles find theirs (the preview stack has
 * none). A templated policy is evaluated as Vault does for a token of the role: its one bound namespace.
 */
function readEnvironment(dir: string, env: Environment, hostPolicies: Map<string, string>): EnvOutput {
  const tf = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', env.name, 'cdk.tf.json'), 'utf8'));
  const resource = (type: string): Record<string, any> => tf.resource?.[type] ?? {};
  // Terraform references inside the stack: `${<type>.<key>.<attribute>}`.
  const deref = (value: string): any => {
    const m = /^\$\{([a-z_]+)\.([^.]+)\.([a-z_]+)\}$/.exec(value);
    return m ? resource(m[1])[m[2]][m[3]] : value;
  };
  const policyByName = new Map<string, string>(Object.values(resource('vault_policy')).map((p: any) => [p.name, p.policy]));
  const roles: Role[] = Object.values(resource('vault_kubernetes_auth_backend_role')).map((r: any) => ({
    name: r.role_name,
    backend: deref(r.backend),
    names: r.bound_service_account_names,
    namespaces: r.bound_service_account_namespaces,
    audience: r.audience,
    acl: mergePolicies(r.token_policies.map((p: string) => {
      const text = policyByName.get(deref(p)) ?? (env.isPreview ? hostPolicies.get(p) : undefined);
      if (text === undefined) throw new Error(`role ${r.role_name} of ${env.name}: no policy ${p}`);
      if (new RegExp(NAMESPACE_TEMPLATE.source).test(text) && r.bound_service_account_namespaces.length !== 1) throw new Error(`role ${r.role_name}: a templated policy needs one bound namespace`);
      return text.replace(NAMESPACE_TEMPLATE, r.bound_service_account_namespaces[0]);
    })),
  }));

  const logins: Login[] = [];
  const moduleValues = new Map<string, any>();
  const argo = env.environmentClass.upgradeStrategy === UpgradeStrategy.ARGO_CD;
  for (const t of env.tenants) {
    for (const m of t.modules) {
      const namespace = env.namespaceFor(t.id);
      let values: any;
      if (argo) {
        const docs = parseAllDocuments(fs.readFileSync(path.join(dir, 'dist', 'k8s', env.name, 'platform.k8s.yaml'), 'utf8')).map(d => d.toJSON());
        // With a migration, the chart is the first of two sources (the second is the hooks folder).
        const chartOf = (d: any) => d.spec.source ?? d.spec.sources[0];
        const app = docs.find((d: any) => d?.kind === 'Application' && d.spec.destination.namespace === namespace && chartOf(d).chart === m.chart);
        values = effectiveHelmValues(chartOf(app).helm.parameters);
      } else {
        const release = Object.values(resource('helm_release')).find((r: any) => r.namespace === namespace && r.chart === m.chart);
        values = effectiveHelmValues(release.set.map((s: any) => ({ name: s.name, value: terraformLiteral(s.value) })));
      }
      moduleValues.set(`${t.id}/${m.name}`, values);
      logins.push(loginFromValues(`module ${t.id}/${m.name}`, namespace, values));
    }
  }
  // The manifests, and the PreSync hooks the Applications read from git (dist/argocd-hooks/<env>/...).
  for (const file of [...filesBelow(path.join(dir, 'dist', 'k8s', env.name)), ...filesBelow(path.join(dir, 'dist', 'argocd-hooks', env.name))]) {
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJSON())) {
      const pod = doc && podTemplateOf(doc);
      const annotations = pod?.metadata?.annotations ?? {};
      if (!annotations[`${ANNOTATION}role`]) continue;
      logins.push(loginFromAnnotations(`${doc.kind} ${doc.metadata.namespace}/${doc.metadata.name}`, doc.metadata.namespace, pod.spec.serviceAccountName, annotations, name => {
        const v = (pod.spec.volumes ?? []).find((x: any) => x.name === name);
        return v?.projected?.sources?.[0]?.serviceAccountToken?.audience;
      }));
    }
  }
  return { env, logins, roles, moduleValues, policies: policyByName };
}

describe('Vault delivery in every environment, read from the synthesized output', () => {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'vault-delivery-'));
  const outputs: EnvOutput[] = [];
  beforeAll(() => {
    const envs = environments();
    const platform = new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', {
      outdir: path.join(dir, 'dist'),
      backup: backupProps(),
      github: githubProps(),
      environments: envs,
      policy: { parity: false },
      migrationHooks: { repoUrl: 'https://github.com/inopsio/platform.git', targetRevision: 'v1.0.0', pathPrefix: 'dist' },
    });
    platform.synth();
    const hostPolicies = stackPolicies(dir, previewVaultHost(envs)!.name);
    for (const env of envs) outputs.push(readEnvironment(dir, env, hostPolicies));
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('every kind of pod is there: modules in each environment, backups and migration hooks in staging and production', () => {
    const kinds = outputs.map(o => [o.env.environmentClass.name, o.logins.map(l => l.what.replace(/ .*\/.*$/, '')).sort()]);
    for (const [, what] of kinds) expect(what).toContain('module');
    for (const o of outputs.filter(x => x.env.environmentClass.backup.enabled)) {
      expect(o.logins.map(l => l.what)).toEqual(expect.arrayContaining([
        `CronJob ${o.env.namespaceFor('acme')}/backup-acme`,
        `CronJob ${o.env.namespaceFor('acme')}/backup-acme-restore-drill`,
        `Job ${o.env.namespaceFor('acme')}/billing-migrate`,
      ]));
    }
    expect(outputs.map(o => o.env.name)).toEqual(['dev', expect.stringMatching(/^preview-feature-vault/), 'staging', 'prod']);
  });

  test('each pod presents what its role requires: the role on its mount, bound to exactly its namespace, its service account and its token audience', () => {
    for (const o of outputs) {
      for (const login of o.logins) {
        const role = o.roles.find(r => r.name === login.role && `auth/${r.backend}` === login.authPath);
        expect({ login: login.what, role: role?.name }).toEqual({ login: login.what, role: login.role });
        expect({ login: login.what, namespaces: role!.namespaces }).toEqual({ login: login.what, namespaces: [login.namespace] });
        expect({ login: login.what, bound: role!.names.includes(login.serviceAccount) }).toEqual({ login: login.what, bound: true });
        // The agent logs in with a projected token whose audience is the role's (never the pod's API-server token).
        expect({ login: login.what, audience: login.audience }).toEqual({ login: login.what, audience: role!.audience });
        expect(role!.audience).toBe(o.env.vaultTokenAudience);
      }
    }
  });

  test('each role is bound to exactly the service accounts of the pods that log in with it (no role without pods)', () => {
    for (const o of outputs) {
      for (const role of o.roles) {
        const users = o.logins.filter(l => l.role === role.name && l.authPath === `auth/${role.backend}`);
        const presented = [...new Set(users.map(u => u.serviceAccount))].sort();
        expect({ env: o.env.name, role: role.name, names: [...role.names].sort() }).toEqual({ env: o.env.name, role: role.name, names: presented });
      }
    }
  });

  test('each role\'s policies grant every path its pods read', () => {
    for (const o of outputs) {
      for (const login of o.logins) {
        const role = o.roles.find(r => r.name === login.role)!;
        for (const p of login.reads) {
          expect({ login: login.what, path: p, read: allows(role.acl, p) }).toEqual({ login: login.what, path: p, read: true });
        }
      }
    }
  });

  test('isolation, tenant by tenant: the application role cannot read the backup store keys, other tenants\' secrets or the backup credentials; the backup role reads only its own', () => {
    let checked = 0;
    for (const o of outputs) {
      const env = o.env.name;
      for (const t of o.env.tenants) {
        // The tenant's application policy, through its role where it has one (a tenant without modules has none).
        // A preview's role is bound to the host's templated policy, evaluated for the role's namespace.
        const n = tenantVaultNames(o.env, t);
        const policy = o.policies.get(n.tenantPolicy)!;
        const role = o.roles.find(r => r.name === n.kubernetesAuthRole);
        const app = role ?? { acl: mergePolicies([policy]) };
        expect(role === undefined).toBe(t.modules.length === 0);
        const kv = n.kvDataPrefix;
        const creds = (name: string) => `${n.databaseMount}/creds/${name}`;
        // Other tenants of this environment, and (for a preview) the same tenant in another preview.
        const others = [
          ...o.env.tenants.filter(x => x.id !== t.id).map(x => tenantVaultNames(o.env, x)),
          ...(o.env.isPreview ? [tenantVaultNames({ name: 'preview-other-branch' }, t), tenantVaultNames({ name: 'preview-other-branch' }, { id: 'globex' })] : []),
        ];
        expect(o.env.isPreview ? others.length : 1).toBeGreaterThan(0);
        const expected: Array<[string, boolean]> = [
          [`${kv}/stripe`, true],
          [n.databaseCredsPath, true],
          [`${kv}/backup/primary-store`, false],
          [`${kv}/backup/offsite-store`, false],
          [`${kv}/backup/anything/else`, false],
          [creds(`${n.databaseConnection}-backup`), false],
          [creds(`${n.databaseConnection}-drill`), false],
          ...others.flatMap(x => [[`${x.kvDataPrefix}/stripe`, false], [x.databaseCredsPath, false]] as Array<[string, boolean]>),
          [`${n.kvMount}/data/${env}/stripe`, false],
          ['sys/policy/root', false],
        ];
        expect(expected.map(([p]) => [p, allows(app.acl, p)])).toEqual(expected);
        // KV writes are never the application's.
        expect(allows(app.acl, `${kv}/stripe`, 'update')).toBe(false);
        const backup = o.roles.find(r => r.name === `${env}-${t.id}-backup`);
        if (o.env.environmentClass.backup.enabled && t.database) {
          expect(backup).toBeDefined();
          const backupExpected: Array<[string, boolean]> = [
            [`${kv}/backup/primary-store`, true],
            [`${kv}/backup/offsite-store`, true],
            [`database-${env}/creds/${t.id}-backup`, true],
            [`database-${env}/creds/${t.id}-drill`, true],
            [`${kv}/stripe`, false],
            [`database-${env}/creds/${t.id}-db`, false],
            ...o.env.tenants.filter(x => x.id !== t.id).map(x => [`kv-${env}/data/${env}/${x.id}/backup/primary-store`, false] as [string, boolean]),
          ];
          expect(backupExpected.map(([p]) => [p, allows(backup!.acl, p)])).toEqual(backupExpected);
        } else {
          expect(backup).toBeUndefined();
        }
        checked++;
      }
    }
    expect(checked).toBe(10);
  });

  test('values mean what their names say: a URL is a DSN of the tenant database, a key selects one field, KV v2 reads .Data.data', () => {
    for (const o of outputs) {
      const db = o.env.database!;
      const values = o.moduleValues.get('acme/billing');
      const acme = tenantVaultNames(o.env, { id: 'acme' });
      const a = values.podAnnotations;
      const database = `${o.env.name.replace(/-/g, '_')}_acme`;
      expect(values.env).toEqual({
        DATABASE_URL_FILE: '/vault/secrets/env-database-url',
        DB_PASSWORD_FILE: '/vault/secrets/env-db-password',
        STRIPE_KEY_FILE: '/vault/secrets/env-stripe-key',
      });
      expect(a[`${ANNOTATION}agent-inject-template-env-database-url`]).toBe(
        `{{ with secret "${acme.databaseCredsPath}" }}postgresql://{{ .Data.username | urlquery }}:{{ .Data.password | urlquery }}@${db.host}:5432/${database}?sslmode=verify-full{{ end }}`);
      expect(a[`${ANNOTATION}agent-inject-template-env-db-password`]).toBe(`{{ with secret "${acme.databaseCredsPath}" }}{{ index .Data "password" }}{{ end }}`);
      expect(a[`${ANNOTATION}agent-inject-template-env-stripe-key`]).toMatch(new RegExp(`^\\{\\{ with secret "${acme.kvDataPrefix}/stripe" \\}\\}\\{\\{ index \\.Data\\.data "api_key" \\}\\}\\{\\{ end \\}\\}$`));
      // A plain value arrives as written (the comma is one string, not a list).
      expect(values.ingress.hosts).toEqual(['a.example,b.example']);
    }
  });

  test('no output file contains the reference syntax or a rendered secret value', () => {
    const files = [...filesBelow(path.join(dir, 'dist')), ...filesBelow(path.join(dir, 'cdktf.out'))];
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) expect({ file: path.relative(dir, f), hasReference: /vault\(/.test(fs.readFileSync(f, 'utf8')) }).toEqual({ file: path.relative(dir, f), hasReference: false });
  });
});

describe('one path: Terraform and Argo CD hand the pod the same values', () => {
  test('the same module of the same tenant, through helm_release and through an Application, gets identical effective Helm values', () => {
    const env = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: DATABASE, tenants: [tenants[0]] });
    const tenant = env.tenants[0];
    // Argo CD.
    const chart = new Chart(K8sTesting.app(), 'platform');
    new ArgoCdApplication(chart, 'App', { environment: env, tenant, module: 'billing' });
    const [app] = K8sTesting.synth(chart);
    const viaArgo = effectiveHelmValues(app.spec.source.helm.parameters);
    // Terraform, for the same environment (installModules forces the Helm path).
    const chartDir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'one-path-'));
    fs.writeFileSync(path.join(chartDir, 'Chart.yaml'), 'apiVersion: v2\nname: tenant-base\nversion: 1.0.0\n');
    const stack = new TerraformStack(Testing.app(), 'prod');
    new TenantRelease(stack, 'Tenant', { environment: env, tenant, chartDirectory: chartDir, installModules: true });
    const tf = JSON.parse(Testing.synth(stack));
    const release: any = Object.values(tf.resource.helm_release).find((r: any) => r.chart === 'billing-api');
    const viaTerraform = effectiveHelmValues(release.set.map((s: any) => ({ name: s.name, value: terraformLiteral(s.value) })));

    expect(viaTerraform).toEqual(viaArgo);
    // And it is the delivery, not an empty match: annotations, files, token, service account.
    expect(viaArgo).toMatchObject({
      replicaCount: '2',
      serviceAccount: { name: 'billing' },
      env: { DATABASE_URL_FILE: '/vault/secrets/env-database-url', STRIPE_KEY_FILE: '/vault/secrets/env-stripe-key' },
      volumes: [{ name: 'vault-token', projected: { sources: [{ serviceAccountToken: { audience: 'vault', path: 'token' } }] } }],
    });
    expect(viaArgo.podAnnotations[`${ANNOTATION}role`]).toBe('acme');
    expect(JSON.stringify(viaArgo)).not.toMatch(/vault\(/);
  });

  test('the token audience is configurable per environment: the role requires it and the pods present it', () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'vault-audience-'));
    const audience = 'https://vault.inopsio.example';
    const dev = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: CREATED_AT, database: DATABASE, vaultTokenAudience: audience, tenants: [tenants[0]] });
    const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: DATABASE, vaultTokenAudience: audience, tenants: [tenants[0]] });
    new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', { outdir: path.join(dir, 'dist'), backup: backupProps(), github: githubProps(), environments: [dev, prod], policy: { enabled: false }, migrationHooks: { repoUrl: 'https://github.com/inopsio/platform.git', targetRevision: 'v1.0.0', pathPrefix: 'dist' } }).synth();
    // Modules, migration hooks (their own role) and, where the class backs up, backups: every role requires the
    // environment's audience and every pod presents it.
    const d = readEnvironment(dir, dev);
    expect(d.roles.map(r => [r.name, r.audience]).sort()).toEqual([['acme', audience], ['acme-migrate', audience]]);
    expect(d.logins.map(l => [l.what, l.audience]).sort()).toEqual([['Job dev-acme/billing-migrate', audience], ['module acme/billing', audience]]);
    const o = readEnvironment(dir, prod);
    expect(o.roles.map(r => [r.name, r.audience]).sort()).toEqual([['acme', audience], ['acme-migrate', audience], ['prod-acme-backup', audience]]);
    expect(o.logins.map(l => [l.what, l.audience]).sort()).toEqual([
      ['CronJob prod-acme/backup-acme', audience],
      ['CronJob prod-acme/backup-acme-restore-drill', audience],
      ['Job prod-acme/billing-migrate', audience],
      ['module acme/billing', audience],
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

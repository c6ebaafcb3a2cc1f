/**
 * Issue 19, done when: a tenant with a cdk8s-plus Deployment and CronJob in dev and production shows, in the
 * synthesized output, Vault delivery with a role bound to the workload's service account, the network allows, the
 * quota check (and its failure), the PodMonitor match, and replicas 0 / suspended CronJob when suspended.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Cron, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { App } from 'cdktf';
import { backupProps, githubProps } from './fixtures';
import { ITenantWorkloadBuilder, TenantWorkload } from '../../src/k8s/tenant-workload';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { Tenant, TenantProps, TenantState } from '../../src/model/tenant';
import { TenantWorkloadProps } from '../../src/model/tenant-workload';
import { VaultRef } from '../../src/model/vault-ref';
import { parseYamlDocuments } from '../../src/output/yaml';
import { Platform, PlatformProps } from '../../src/platform/platform';
import { problemsOf } from '../support/problems';

const IMAGE = `registry.inopsio.example/acme/web@sha256:${'cd'.repeat(32)}`;
const web: TenantWorkloadProps = {
  name: 'web',
  secrets: [{ name: 'DATABASE_URL', reference: VaultRef.databaseCreds('tenant-db') }],
  metricsPort: 9090,
};
const report: TenantWorkloadProps = { name: 'report', secrets: [{ name: 'STRIPE_KEY', reference: VaultRef.kv('stripe', 'api_key') }] };

function builders(replicas = 2): { [name: string]: ITenantWorkloadBuilder } {
  return {
    web: {
      buildWorkload(w: TenantWorkload) {
        const d = new kplus.Deployment(w, 'web', {
          replicas,
          serviceAccount: w.serviceAccount,
          containers: [{ image: IMAGE, portNumber: 8080, resources: containerResources(), securityContext: HARDENED }],
        });
        // cdk8s-plus connections keep working beside the namespace's policies.
        d.connections.allowFrom(kplus.Pods.all(w, 'Tenant'), { ports: [kplus.NetworkPolicyPort.tcp(8080)] });
      },
    },
    report: {
      buildWorkload(w: TenantWorkload) {
        new kplus.CronJob(w, 'report', {
          schedule: Cron.daily(),
          timeZone: 'Etc/UTC',
          backoffLimit: 2,
          activeDeadline: Duration.minutes(30),
          ttlAfterFinished: Duration.days(7),
          serviceAccount: w.serviceAccount,
          containers: [{ image: IMAGE, args: ['report'], resources: containerResources(), securityContext: HARDENED }],
        });
      },
    },
  };
}

function containerResources(): kplus.ContainerResources {
  return {
    cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(500) },
    memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) },
    ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(1) },
  };
}

/** What the policy pack asks of every tenant container (K25–K27). */
const HARDENED: kplus.ContainerSecurityContextProps = {
  user: 10001,
  group: 10001,
  capabilities: { drop: [kplus.Capability.ALL] },
  seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
};

const tenants: TenantProps[] = [
  { id: 'acme', workloads: [web, report] },
  { id: 'globex', workloads: [web, report], state: TenantState.SUSPENDED },
];

function platformProps(dir: string, over: Partial<PlatformProps> = {}, ts: TenantProps[] = tenants): PlatformProps {
  return {
    outdir: path.join(dir, 'dist'),
    backup: backupProps(),
    github: githubProps(),
    workloads: builders(),
    // The data service the tenants may reach: their PostgreSQL server.
    network: { database: EgressTarget.cidr('10.20.0.0/24', 5432) },
    // Dev reaches its own database, not production's (K52, issue 21 path 6).
    environmentNetworks: { dev: { database: EgressTarget.cidr('10.21.0.0/24', 5432) } },
    environments: [
      new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', database: { host: 'postgres.databases.svc' }, tenants: ts }),
      new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants: ts }),
    ],
    ...over,
  };
}

function scratch(): string {
  return fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'tenant-workloads-'));
}

/** Every Kubernetes document of an environment's output. */
function manifests(dir: string, env: string): any[] {
  const folder = path.join(dir, 'dist', 'k8s', env);
  return fs.readdirSync(folder).filter(f => f.endsWith('.yaml')).flatMap(f => parseYamlDocuments(fs.readFileSync(path.join(folder, f), 'utf8')));
}

function find(docs: any[], kind: string, namespace: string, name?: string): any[] {
  return docs.filter(d => d.kind === kind && d.metadata?.namespace === namespace && (name === undefined || d.metadata.name === name));
}

/** Does a label selector (matchLabels only, as the library writes) select `labels`? */
function selects(selector: any, labels: Record<string, string>): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) && (selector?.matchExpressions ?? []).length === 0;
}

describe('cdk8s-plus tenant workloads (issue 19)', () => {
  const dir = scratch();
  const props = platformProps(dir);
  const result = new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', props).synth();

  test('the synthesis passes every check (policy pack and parity included)', () => {
    expect(result.problems ?? []).toEqual([]);
  });

  for (const envName of ['dev', 'prod']) {
    const env = props.environments.find(e => e.name === envName)!;
    const ns = env.namespaceFor('acme');
    const docs = manifests(dir, envName);
    const deployment = () => find(docs, 'Deployment', ns)[0];
    const cronJob = () => find(docs, 'CronJob', ns).find(c => c.spec.jobTemplate.spec.template.spec.serviceAccountName === 'report');

    test(`${envName}: the pods log in to Vault as the tenant role with the workload's service account and the environment's audience`, () => {
      const tf = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out', 'stacks', envName, 'cdk.tf.json'), 'utf8'));
      const roles = Object.values(tf.resource.vault_kubernetes_auth_backend_role) as any[];
      for (const [pod, sa] of [[deployment().spec.template, 'web'], [cronJob().spec.jobTemplate.spec.template, 'report']] as const) {
        const a = pod.metadata.annotations;
        expect(pod.spec.serviceAccountName).toBe(sa);
        const role = roles.find(r => r.role_name === a['vault.hashicorp.com/role'])!;
        expect(role.bound_service_account_names).toContain(sa);
        expect(role.bound_service_account_namespaces).toEqual([ns]);
        const volume = pod.spec.volumes.find((v: any) => v.name === a['vault.hashicorp.com/agent-service-account-token-volume-name']);
        expect(volume.projected.sources[0].serviceAccountToken.audience).toBe(env.vaultTokenAudience);
        expect(role.audience).toBe(env.vaultTokenAudience);
        expect(a['vault.hashicorp.com/agent-inject']).toBe('true');
      }
      const a = deployment().spec.template.metadata.annotations;
      expect(a['vault.hashicorp.com/agent-inject-secret-database-url']).toBe(`database-${envName}/creds/acme-db`);
      expect(a['vault.hashicorp.com/agent-inject-template-database-url']).toMatch(/^\{\{ with secret "database-.*postgresql:\/\//);
      expect(deployment().spec.template.spec.containers[0].env).toContainEqual({ name: 'DATABASE_URL_FILE', value: '/vault/secrets/database-url' });
      expect(cronJob().spec.jobTemplate.spec.template.spec.containers[0].env).toContainEqual({ name: 'STRIPE_KEY_FILE', value: '/vault/secrets/stripe-key' });
      // The service accounts exist in the namespace, without an automounted token.
      expect(find(docs, 'ServiceAccount', ns, 'web')[0].automountServiceAccountToken).toBe(false);
    });

    test(`${envName}: the namespace's policies admit the workload's pods and its egress reaches only the declared data services; kplus connections add their own`, () => {
      const labels = deployment().spec.template.metadata.labels;
      const policies = find(docs, 'NetworkPolicy', ns);
      const selecting = policies.filter(p => selects(p.spec.podSelector, labels)).map(p => p.metadata.name);
      expect(selecting).toEqual(expect.arrayContaining(['default-deny', 'allow-dns', 'allow-same-namespace']));
      // Egress out of the namespace: DNS and the data services of the tenant namespace's policy only; every other
      // egress rule (cdk8s-plus connections) stays inside the namespace (no IP block, no other namespace).
      const egress = policies.filter(p => selects(p.spec.podSelector, labels) && (p.spec.policyTypes ?? []).includes('Egress') && (p.spec.egress ?? []).length > 0);
      for (const p of egress.filter(x => !['allow-dns', 'allow-data-services'].includes(x.metadata.name))) {
        for (const rule of p.spec.egress) {
          for (const to of rule.to ?? []) {
            expect(to.ipBlock).toBeUndefined();
            if (to.namespaceSelector) expect(to.namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': ns } });
          }
        }
      }
      expect(egress.map(p => p.metadata.name)).toEqual(expect.arrayContaining(['allow-dns', 'allow-data-services']));
      // The cdk8s-plus connection: an ingress policy for port 8080 from the report pods, selecting the web pods.
      const own = policies.filter(p => !['default-deny', 'allow-dns', 'allow-same-namespace', 'allow-data-services', 'allow-ingress-controller', 'allow-monitoring'].includes(p.metadata.name));
      expect(own.some(p => selects(p.spec.podSelector, labels) && JSON.stringify(p.spec.ingress).includes('8080'))).toBe(true);
    });

    test(`${envName}: the tenant's PodMonitor selects the web pods' metrics port and the availability alerts expect the tenant's targets`, () => {
      const monitor = find(docs, 'PodMonitor', ns)[0] ?? docs.find(d => d.kind === 'PodMonitor' && d.spec.namespaceSelector?.matchNames?.includes(ns));
      expect(monitor).toBeDefined();
      const labels = deployment().spec.template.metadata.labels;
      expect(selects(monitor.spec.selector, labels)).toBe(true);
      const port = monitor.spec.podMetricsEndpoints[0].port;
      expect(deployment().spec.template.spec.containers[0].ports).toContainEqual(expect.objectContaining({ containerPort: 9090, name: port }));
      // The inventory record the availability alerts (InopsioTenantTargetsMissing) select: modules="true".
      const inventory = find(docs, 'PrometheusRule', ns, 'inopsio-tenant-inventory')[0];
      expect(inventory.spec.groups[0].rules[0].labels).toMatchObject({ tenant: 'acme', state: 'active', modules: 'true' });
      const alerts = JSON.stringify(docs.filter(d => d.kind === 'PrometheusRule' && d.metadata.namespace === 'monitoring'));
      expect(alerts).toContain('InopsioTenantTargetsMissing');
    });

    test(`${envName}: a suspended tenant's Deployment has 0 replicas and its CronJob is suspended`, () => {
      const gns = env.namespaceFor('globex');
      expect(find(docs, 'Deployment', gns).map(d => d.spec.replicas)).toEqual([0]);
      expect(find(docs, 'CronJob', gns).every(c => c.spec.suspend === true)).toBe(true);
      expect(deployment().spec.replicas).toBe(2);
      expect(cronJob().spec.suspend).not.toBe(true);
    });

    test(`${envName}: the inventory lists the tenant's workloads`, () => {
      const inventory = JSON.parse(fs.readFileSync(result.inventoryFile, 'utf8'));
      const tenant = inventory.environments.find((e: any) => e.name === envName).tenants.find((t: any) => t.id === 'acme');
      expect(tenant.workloads).toEqual([
        { name: 'web', serviceAccount: 'web', vaultSecrets: ['DATABASE_URL'], metricsPort: 9090 },
        { name: 'report', serviceAccount: 'report', vaultSecrets: ['STRIPE_KEY'] },
      ]);
    });
  }

  test('replicas beyond the quota: one error naming the workload and the numbers, nothing written', () => {
    const d = scratch();
    const ts: TenantProps[] = [{ id: 'acme', workloads: [web, report] }];
    const p = platformProps(d, { workloads: builders(9) }, ts);
    const problems = problemsOf(() => new Platform(new App({ outdir: path.join(d, 'cdktf.out') }), 'inopsio', p).synth());
    // dev is a SMALL class (2 CPU): 9 × 250m + the CronJobs exceed it; production (8 CPU) fits.
    const cpu = problems.filter(l => l.includes('cpu in total'));
    expect(cpu).toHaveLength(1);
    expect(cpu[0]).toMatch(/^inopsio\/dev\/Tenant-acme: workloads request \S+ cpu in total \(Deployment \S+: 9 × 250m, CronJob \S+: 1 × 250m.*\), above the quota's requests\.cpu 2 \(quota profile "small"\)/);
    expect(fs.existsSync(path.join(d, 'dist'))).toBe(false);
  });

  test('a declared workload without a builder, a builder without a workload, and a pod under another service account are refused', () => {
    const d = scratch();
    expect(problemsOf(() => new Platform(new App({ outdir: path.join(d, 'cdktf.out') }), 'inopsio', platformProps(d, { workloads: { web: builders().web, other: builders().web } })))).toEqual([
      'inopsio: workloads.report is missing, but tenant "acme" of environment "dev" declares workload "report" (got undefined); pass workloads: { [name]: { buildWorkload(workload) { new kplus.Deployment(workload, ...) } } }',
      expect.stringContaining('workloads.report is missing, but tenant "globex" of environment "dev"'),
      expect.stringContaining('workloads.report is missing, but tenant "acme" of environment "prod"'),
      expect.stringContaining('workloads.report is missing, but tenant "globex" of environment "prod"'),
      expect.stringContaining('inopsio: workloads.other builds a workload no tenant declares'),
    ]);
    const stray: ITenantWorkloadBuilder = { buildWorkload: w => void new kplus.Deployment(w, 'web', { automountServiceAccountToken: true, containers: [{ image: IMAGE }] }) };
    const platform = new Platform(new App({ outdir: path.join(d, 'cdktf.out') }), 'inopsio', platformProps(d, { workloads: { ...builders(), web: stray } }));
    expect(problemsOf(() => platform.tenantChart('prod', 'acme'))).toEqual([
      'inopsio/prod/Tenant-acme/Workload-web: web.serviceAccount is not the workload\'s service account "web", the one the tenant\'s Vault role binds (got "(none)"); pass serviceAccount: workload.serviceAccount',
    ]);
  });

  test('the policy pack reads cdk8s-plus workloads like any output: an unhardened container fails the synth, named', () => {
    const d = scratch();
    const bare: ITenantWorkloadBuilder = {
      buildWorkload: w => void new kplus.Deployment(w, 'web', { metadata: { name: 'web' }, serviceAccount: w.serviceAccount, containers: [{ image: IMAGE, resources: containerResources() }] }),
    };
    const ts: TenantProps[] = [{ id: 'acme', workloads: [web] }];
    const problems = problemsOf(() => new Platform(new App({ outdir: path.join(d, 'cdktf.out') }), 'inopsio', platformProps(d, { workloads: { web: bare } }, ts)).synth());
    expect(problems).toContain('prod/Deployment/prod-acme/web: spec.template.spec.containers[0].securityContext.capabilities.drop does not drop ALL (got undefined); set capabilities.drop: [ALL] (K26)');
    expect(problems.some(l => l.startsWith('prod/Deployment/prod-acme/web: ') && l.endsWith('(K25)'))).toBe(true);
    expect(fs.existsSync(path.join(d, 'dist'))).toBe(false);
  });

  test('a workload declaration is checked with the tenant', () => {
    expect(problemsOf(() => new Tenant({
      id: 'acme',
      modules: [{ name: 'web', chart: 'web', repository: 'https://charts.inopsio.example', version: '1.0.0' }],
      workloads: [{ ...web, metricsPort: 70000, secrets: [{ name: 'DATABASE-URL', reference: 'database/creds/tenant-db' as any }] }],
    }))).toEqual([
      'Tenant-acme: workloads[0].name is also the name of a module, whose chart makes a service account of that name (got "web"); rename the workload or the module',
      'Tenant-acme: workloads[0].metricsPort is not a port number (got 70000); use 1..65535, e.g. 9090',
      'Tenant-acme: workloads[0].secrets[0].name is not an environment variable name (got "DATABASE-URL"); use letters, digits and "_", e.g. "DATABASE_URL"',
      'Tenant-acme: workloads[0].secrets[0].reference is not a VaultRef (got "database/creds/tenant-db"); use e.g. VaultRef.databaseCreds(\'tenant-db\') or VaultRef.kv(\'stripe\', \'api_key\')',
    ]);
  });
});

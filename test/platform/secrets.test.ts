import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { App, TerraformResource } from 'cdktf';
import { backupProps } from './fixtures';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantModuleProps } from '../../src/model/tenant';
import { Platform, PlatformProps } from '../../src/platform/platform';

// Secrets as issued (gitleaks allowlists the documentation examples, e.g. AKIA…EXAMPLE, so these are realistic).
const PEM_BODY = 'MIIEowIBAAKCAQEAq7Xv2LmN9pR4sT7wY0zB3cF6hJq7Xv2LmN9pR4sT7wY0zB3cF6hJq7Xv2LmN9pR4sT7w';
const SECRETS: Array<[string, string, string]> = [
  ['a Stripe live key', 'sk_live_51HqLyjWDarjtT1zdp7dcXk3jH8sLq9Pz', 'stripe-access-token'],
  ['a GitHub token', 'ghp_Xk3jH8sLq9PzW2vN7mT4yR1aB6cD0eF5gH2i', 'github-pat'],
  ['a Slack bot token', 'xoxb-2934567890123-2934567890123-aB3dE5fG7hJ9kL1mN3pQ5rS7', 'slack-bot-token'],
  ['an AWS key pair', 'aws_access_key_id = AKIAZ7RQ3XJ5MB2WK4PL\naws_secret_access_key = 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', 'aws-access-token'],
  ['a private key', `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----`, 'private-key'],
  ['a password in a URL', 'postgres://app:Zq8mW2rT5x@db.internal:5432/app', 'url-credentials'],
];

const billing: TenantModuleProps = { name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1', values: { replicaCount: '2' } };
const DATABASE = { host: 'postgres.databases.svc' };

interface Case {
  /** How the secret reaches the Platform. */
  readonly input: (props: PlatformProps, secret: string) => PlatformProps;
  /** What to add to the construct tree between construction and synth. */
  readonly extend?: (platform: Platform, secret: string) => void;
  /** The path of the value in the error message. */
  readonly field: RegExp;
}

function props(dir: string, modules: { dev?: TenantModuleProps[]; prod?: TenantModuleProps[] } = {}): PlatformProps {
  return {
    outdir: path.join(dir, 'dist'),
    backup: backupProps(),
    environments: [
      new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', database: DATABASE, tenants: [{ id: 'acme', modules: modules.dev ?? [billing] }] }),
      new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: DATABASE, tenants: [{ id: 'acme', modules: modules.prod ?? [billing] }] }),
    ],
  };
}

const withValue = (key: string, value: string): TenantModuleProps => ({ ...billing, values: { ...billing.values, [key]: value } });

const PATHS: Array<[string, Case]> = [
  ['module values delivered by Argo CD (production)', {
    input: (p, s) => props(path.dirname(p.outdir!), { prod: [withValue('env.API_KEY', s)] }),
    // Found when the tenant is declared (new Environment), before the Platform exists.
    field: /prod\/Tenant-acme: modules\[0\]\.values\["env\.API_KEY"\]/,
  }],
  ['module values delivered by Terraform (dev)', {
    input: (p, s) => props(path.dirname(p.outdir!), { dev: [withValue('config.upstream', s)] }),
    field: /dev\/Tenant-acme: modules\[0\]\.values\["config\.upstream"\]/,
  }],
  ['a credentials file in module values', {
    input: (p, s) => props(path.dirname(p.outdir!), { prod: [withValue('files.credentials', `[default]\nregion = eu-central-1\n${s}\n`)] }),
    field: /prod\/Tenant-acme: modules\[0\]\.values\["files\.credentials"\]/,
  }],
  ['backup settings (a chart asset of every backed-up tenant)', {
    input: (p, s) => ({ ...p, backup: { ...p.backup!, pushgatewayUrl: `https://pushgateway.monitoring.svc:9091/metrics?token=${s}`, pushgatewayEgress: EgressTarget.podsInNamespace('monitoring', { app: 'pushgateway' }, 9091) } }),
    field: /backup\.pushgatewayUrl/,
  }],
  ['workflow settings (workflow env)', {
    input: (p, s) => ({ ...p, workflows: { installCommand: `NPM_TOKEN='${s}' npm ci` } }),
    field: /workflows\.installCommand/,
  }],
  ['an annotation of an object added to an environment\'s manifests', {
    input: p => p,
    extend: (platform, s) => {
      new ApiObject(new Chart(platform.manifestsOf('prod'), 'extra'), 'Notes', {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'notes', namespace: 'prod-acme', annotations: { 'inopsio.io/upstream': s } },
      });
    },
    field: /manifestsOf\("prod"\)\["extra\/Notes"\]\.metadata\.annotations\["inopsio\.io\/upstream"\]/,
  }],
  ['a chart asset: an object added to a tenant chart Terraform installs', {
    input: p => p,
    extend: (platform, s) => {
      new ApiObject(platform.tenantChart('dev', 'acme'), 'Notes', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'notes', namespace: 'dev-acme' }, data: { upstream: s } });
    },
    field: /manifestsOf\("dev"\)\["acme\/Notes"\]\.data\.upstream/,
  }],
  ['a Terraform attribute of a resource added to a stack', {
    input: p => p,
    extend: (platform, s) => {
      const r = new TerraformResource(platform.stackOf('dev'), 'Hook', { terraformResourceType: 'terraform_data' });
      r.addOverride('input.upstream', s);
    },
    field: /terraform\["inopsio\/dev\/Hook"\]\.resource\.terraform_data\.Hook\.input\.upstream/,
  }],
];

function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter(f => fs.statSync(path.join(dir, f)).isFile());
}

function scratch(): string {
  fs.mkdirSync(process.env.TMPDIR ?? '/tmp', { recursive: true });
  return fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'platform-secrets-'));
}

describe('Platform: no literal secret is written, anywhere (issue 15)', () => {
  const cases = PATHS.flatMap(([where, c]) => SECRETS.map(([what, secret, rule]) => [what, where, c, secret, rule] as const));

  test.each(cases)('%s in %s is refused before anything is written', (_what, _where, c, secret, rule) => {
    const dir = scratch();
    const cdktfOut = path.join(dir, 'cdktf.out');
    const run = () => {
      const platform = new Platform(new App({ outdir: cdktfOut }), 'inopsio', c.input(props(dir), secret));
      c.extend?.(platform, secret);
      platform.synth();
    };
    let message = '';
    try {
      run();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(new RegExp(`${c.field.source} holds a literal secret \\(rule ${rule}\\) \\(got "<redacted>"\\)`));
    // Never the secret, nor any line of it.
    for (const line of secret.split('\n')) expect(message).not.toContain(line);
    expect(message).not.toMatch(/passed/);
    // Nothing written: neither the manifests/charts/workflows folder nor Terraform's.
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
    // (cdktf creates its empty outdir and stacks folder when the App and stacks are constructed.)
    expect(filesBelow(cdktfOut)).toEqual([]);
    expect(fs.readdirSync(dir).filter(f => f !== 'cdktf.out')).toEqual([]);
  });

  test('the same platform without the secret synthesizes (the cases fail because of the secret, not the setup)', () => {
    const dir = scratch();
    const cdktfOut = path.join(dir, 'cdktf.out');
    const platform = new Platform(new App({ outdir: cdktfOut }), 'inopsio', { ...props(dir), policy: { enabled: false } });
    new ApiObject(new Chart(platform.manifestsOf('prod'), 'extra'), 'Notes', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'notes', namespace: 'prod-acme', annotations: { 'inopsio.io/upstream': 'https://billing.inopsio.example' } } });
    new TerraformResource(platform.stackOf('dev'), 'Hook', { terraformResourceType: 'terraform_data' }).addOverride('input.upstream', 'https://billing.inopsio.example');
    platform.synth();
    expect(fs.existsSync(path.join(cdktfOut, 'stacks', 'dev', 'cdk.tf.json'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'dist', 'k8s', 'prod'))).toBe(true);
  });
});

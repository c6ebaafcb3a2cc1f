/**
 * Terraform itself on every stack this library writes (issue 24 item 1, ENGINES.md): the reference platform's four
 * stacks, every stack of a sharded platform (base, shards, charts) and a preview declared the way the preview
 * workflow declares it. `terraform providers` loads each whole configuration; `terraform init -backend=false` fails
 * only at the providers it cannot install. Terraform must be installed: without it these tests fail, never skip.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { previewEnvironments } from '../../src/lifecycle/previews';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantProps } from '../../src/model/tenant';
import { Platform } from '../../src/platform/platform';
import { backupProps, githubProps } from '../platform/fixtures';
import { synthesizeReferencePlatform } from '../support/reference-platform';
import { checkTerraformStack, checkTerraformStacks, terraformErrors, terraformVersion } from '../support/terraform';

const tmp = process.env.TMPDIR ?? '/tmp';
/** The tenant databases' server (Vault's connection, the pods' DSNs and the PostgreSQL provider). */
const DATABASE = { host: 'postgres.databases.svc' };
const work = () => fs.mkdtempSync(path.join(tmp, 'terraform-'));
const PROVIDERS = ['registry.terraform.io/hashicorp/helm', 'registry.terraform.io/hashicorp/vault'];
/** A stack with tenant databases also creates them (issue 23: TenantDatabase). */
const WITH_DATABASES = ['registry.terraform.io/cyrilgdn/postgresql', ...PROVIDERS];
const GITHUB = ['registry.terraform.io/integrations/github'];
/** With `backup.tenantObjects` (the reference platform), each tenant's object-store user too (MinIO, random). */
const WITH_OBJECT_STORAGE = ['registry.terraform.io/aminueza/minio', ...WITH_DATABASES, 'registry.terraform.io/hashicorp/random'].sort();

const billing = { name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1', values: { 'env.DATABASE_URL': "{{ vault('database/creds/tenant-db') }}" } };
const tenants = (n: number): TenantProps[] => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, modules: i % 2 ? [] : [billing] }));

test('terraform is installed and new enough for the stacks (required_version >= 1.11)', () => {
  expect(terraformVersion()).toMatch(/^1\.(1[1-9]|[2-9]\d)\.\d+$/);
});

describe('the reference platform (examples/main.ts)', () => {
  let dir: string;
  beforeAll(() => {
    dir = synthesizeReferencePlatform();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('every stack loads in Terraform and init fails only because the provider registry is unreachable', () => {
    const checks = checkTerraformStacks(path.join(dir, 'cdktf.out', 'stacks'), work());
    expect(checks.map(c => c.stack)).toEqual(['dev', 'github-environments', expect.stringMatching(/^preview-feature-jira-123-add-b/), 'prod', 'staging']);
    expect(checks.flatMap(c => c.problems)).toEqual([]);
    for (const c of checks) expect(c.providers).toEqual(c.stack === 'github-environments' ? GITHUB : WITH_OBJECT_STORAGE);
  });
});


describe('a sharded platform and a preview declared from INOPSIO_PREVIEWS', () => {
  let dir: string;
  beforeAll(() => {
    dir = work();
    const previews = previewEnvironments(JSON.stringify([{ branch: 'renovate/cdktf-0.x', owner: 'dana', createdAt: '2026-11-28T09:00:00Z' }]), { tenants: tenants(2), database: DATABASE });
    new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', {
      outdir: path.join(dir, 'dist'),
      backup: backupProps(),
      github: githubProps(),
      sharding: { prod: { shardCount: 2 } },
      environments: [
        new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, database: DATABASE, tenants: tenants(5) }),
        new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: DATABASE, tenants: tenants(5) }),
        ...previews,
      ],
    }).synth();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('every stack (base, shards, charts, the unsharded staging, the preview) is clean', () => {
    const checks = checkTerraformStacks(path.join(dir, 'cdktf.out', 'stacks'), work());
    expect(checks.map(c => c.stack)).toEqual(['github-environments', expect.stringMatching(/^preview-renovate-cdktf-0-x-[0-9a-f]{6}$/), 'prod', 'prod-charts', 'prod-shard-01', 'prod-shard-02', 'staging']);
    expect(checks.flatMap(c => c.problems)).toEqual([]);
    // The charts stack installs charts only; the base stack has Vault's environment-wide part and no tenant database;
    // the shards, staging and the preview create their tenants' databases too.
    const providers = Object.fromEntries(checks.map(c => [c.stack.replace(/^preview-.*/, 'preview'), c.providers]));
    expect(providers).toEqual({
      'github-environments': GITHUB,
      'preview': WITH_DATABASES,
      'prod': PROVIDERS,
      'prod-charts': [PROVIDERS[0]],
      'prod-shard-01': WITH_DATABASES,
      'prod-shard-02': WITH_DATABASES,
      'staging': WITH_DATABASES,
    });
  });
});

describe('the harness reports what Terraform refuses', () => {
  /** A minimal stack folder with a cloud block, a required provider and `variable` blocks. */
  function stack(variables: any, extra: any = {}): string {
    const dir = fs.mkdtempSync(path.join(tmp, 'tf-fixture-'));
    const name = path.join(dir, 'fixture');
    fs.mkdirSync(path.join(name, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(name, 'cdk.tf.json'), JSON.stringify({
      terraform: {
        cloud: { organization: 'inopsio', workspaces: { name: 'inopsio-fixture' } },
        required_providers: { vault: { source: 'hashicorp/vault', version: '5.6.0' } },
        required_version: '>= 1.11.0',
      },
      provider: { vault: [{ address: '${var.vault_address}' }] },
      variable: variables,
      ...extra,
    }));
    return name;
  }
  const vaultAddress = (condition: string) => ({ vault_address: { type: 'string', validation: [{ condition, error_message: 'must be https.' }] } });

  test('a clean fixture passes (the failing cases below differ from it in one place)', () => {
    expect(checkTerraformStack(stack(vaultAddress('${can(regex("^https://", var.vault_address))}')), work()).problems).toEqual([]);
  });

  test('fails if a validation condition is a literal string (the bug of issue 24)', () => {
    const problems = checkTerraformStack(stack(vaultAddress('can(regex("^https://", var.vault_address))')), work()).problems;
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^fixture: terraform providers: Invalid variable validation condition: .*must refer to var\.vault_address/),
      expect.stringMatching(/^fixture: terraform init: Invalid variable validation condition/),
    ]));
  });

  test('fails if init stops at something other than provider installation (an unreadable module)', () => {
    const problems = checkTerraformStack(stack(vaultAddress('${can(regex("^https://", var.vault_address))}'), { module: { extra: { source: './modules/missing' } } }), work()).problems;
    // No provider error hides it, and the loaded-configuration check refuses the module too (it is not installed).
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^fixture: terraform init: Unreadable module directory/),
      expect.stringMatching(/^fixture: terraform providers: Module not installed/),
    ]));
  });

  test('fails if the stack refuses the Terraform that runs it (required_version; only init checks it)', () => {
    const dir = stack(vaultAddress('${can(regex("^https://", var.vault_address))}'));
    const file = path.join(dir, 'cdk.tf.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    json.terraform.required_version = '< 1.0.0';
    fs.writeFileSync(file, JSON.stringify(json));
    expect(checkTerraformStack(dir, work()).problems).toEqual(expect.arrayContaining([expect.stringMatching(/^fixture: terraform init: Unsupported Terraform Core version: .*does not support Terraform version 1\.11/)]));
  });

  test('terraformErrors splits Terraform output into errors', () => {
    expect(terraformErrors('Initializing...\n\nError: First\n\nsome\ndetail\n\nError: Second\n\nmore')).toEqual([
      { summary: 'First', detail: 'some detail' },
      { summary: 'Second', detail: 'more' },
    ]);
  });
});

test('without the terraform binary the harness fails with a clear message (the engine tests never skip)', () => {
  const saved = process.env.TERRAFORM_BIN;
  process.env.TERRAFORM_BIN = '/nonexistent/terraform';
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const harness = require('../support/terraform') as typeof import('../support/terraform');
      expect(() => harness.terraformVersion()).toThrow('/nonexistent/terraform is not on the PATH: install Terraform 1.11.x (.ci/run checks it); the engine tests never skip');
    });
  } finally {
    if (saved === undefined) delete process.env.TERRAFORM_BIN;
    else process.env.TERRAFORM_BIN = saved;
  }
});

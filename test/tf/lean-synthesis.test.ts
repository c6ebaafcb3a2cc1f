/**
 * The stacks' JSON built by `stackTerraform` (src/tf/lean-synthesis.ts) is cdktf's `TerraformStack.toTerraform()`:
 * same keys in the same order, same values, on every stack of a platform with databases, object storage, modules,
 * Terraform shards and the GitHub environments, and on a plain stack with every kind of element.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Policy } from '@cdktf/provider-vault/lib/policy';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { App, LocalBackend, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { Platform } from '../../src/platform/platform';
import { EnvironmentStack } from '../../src/tf/environment-stack';
import { stackTerraform } from '../../src/tf/lean-synthesis';
import { EnvironmentChartStack } from '../../src/tf/sharding';
import { backupProps, githubProps, mixedTenants } from '../platform/fixtures';
import { checkTerraformStacks } from '../support/terraform';

jest.setTimeout(300_000);

const cdktfJson = (stack: TerraformStack) => JSON.stringify(TerraformStack.prototype.toTerraform.call(stack));
const minio = EgressTarget.podsInNamespace('minio', { 'app.kubernetes.io/name': 'minio' }, 9000);

function platformIn(dir: string, crossStack: boolean): App {
  const app = new App({ outdir: path.join(dir, 'cdktf.out') });
  const tenants = mixedTenants(6);
  const platform = new Platform(app, 'inopsio', {
    outdir: path.join(dir, 'dist'),
    backup: { ...backupProps(), tenantObjects: { endpoint: 'https://minio.minio.svc:9000', bucket: 'inopsio-tenant-data', egress: minio } },
    github: githubProps(),
    sharding: { prod: { shardCount: 2, maxTenantsPerShard: 6 } },
    // A user's own resources that refer across stacks are theirs to check: the pack stays out of this comparison.
    policy: crossStack ? { enabled: false } : undefined,
    environments: [
      new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, database: { host: 'postgres.databases.svc' }, tenants }),
      new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants }),
    ],
  });
  // Every tenant asked for, so that its constructs stay in the stacks to compare with cdktf's own toTerraform (a
  // Platform otherwise releases a tenant's constructs once it has resolved them: test/platform/bounded-terraform.test.ts).
  for (const env of platform.environments) for (const t of env.tenants) platform.tenantStackOf(env.name, t.id);
  if (crossStack) {
    // A user's resources in production's base stack and in one of its shards that refer to one in staging's stack.
    const staging = new Policy(platform.stackOf('staging'), 'user-policy', { name: 'user-reader', policy: 'path "kv/data/x" { capabilities = ["read"] }' });
    new Policy(platform.stackOf('prod'), 'user-copy', { name: `copy-of-${staging.name}`, policy: staging.policy });
    new Policy(platform.shardingOf('prod')!.shards[1], 'user-shard', { name: `n-${staging.id}`, policy: 'path "kv/data/y" { capabilities = ["read"] }' });
  }
  platform.synth();
  return app;
}

function stackFiles(dir: string): Map<string, string> {
  const stacks = path.join(dir, 'cdktf.out', 'stacks');
  return new Map(fs.readdirSync(stacks).map(s => [s, fs.readFileSync(path.join(stacks, s, 'cdk.tf.json'), 'utf8')]));
}

test('every stack of a synthesized platform: the same JSON as cdktf\'s toTerraform, key order included', () => {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'lean-synthesis-'));
  const app = platformIn(dir, false);
  const stacks = app.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
  expect(stacks.length).toBeGreaterThanOrEqual(5);
  for (const stack of stacks) {
    const ours = JSON.stringify(stackTerraform(stack));
    expect({ stack: stack.node.path, json: ours }).toEqual({ stack: stack.node.path, json: cdktfJson(stack) });
    expect(Object.keys(JSON.parse(ours).resource ?? {}).length).toBeGreaterThan(0);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('references across stacks: the lean preparation registers what cdktf\'s registers, every stack file the same', () => {
  const lean = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'lean-prepare-'));
  const stock = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'stock-prepare-'));
  platformIn(lean, true);
  const prepare = { env: EnvironmentStack.prototype.prepareStack, charts: EnvironmentChartStack.prototype.prepareStack };
  try {
    EnvironmentStack.prototype.prepareStack = TerraformStack.prototype.prepareStack;
    EnvironmentChartStack.prototype.prepareStack = TerraformStack.prototype.prepareStack;
    platformIn(stock, true);
  } finally {
    EnvironmentStack.prototype.prepareStack = prepare.env;
    EnvironmentChartStack.prototype.prepareStack = prepare.charts;
  }
  const ours = stackFiles(lean);
  expect([...ours.keys()]).toEqual([...stackFiles(stock).keys()]);
  for (const [stack, text] of stackFiles(stock)) expect({ stack, text: ours.get(stack) }).toEqual({ stack, text });
  // The references were registered: a remote state in production and the shard, outputs in staging and production.
  const json = (s: string) => JSON.parse(ours.get(s)!);
  expect(Object.keys(json('prod').data.terraform_remote_state)).toEqual(['cross-stack-reference-input-inopsio--staging']);
  expect(Object.keys(json('prod-shard-02').data.terraform_remote_state)).toEqual(['cross-stack-reference-input-inopsio--staging']);
  expect(Object.keys(json('staging').output).filter(o => o.startsWith('cross-stack-output-')).length).toBeGreaterThanOrEqual(2);
  // Terraform loads every stack with those references (the remote states, the outputs they read).
  const checks = checkTerraformStacks(path.join(lean, 'cdktf.out', 'stacks'), fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'lean-terraform-')));
  expect(checks.map(c => c.stack)).toEqual([...ours.keys()].sort());
  expect(checks.flatMap(c => c.problems)).toEqual([]);
  for (const d of [lean, stock]) fs.rmSync(d, { recursive: true, force: true });
});

function plainStack(): TerraformStack {
  const stack = new TerraformStack(new App({ outdir: fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'lean-plain-')) }), 'plain');
  new LocalBackend(stack, { path: 'terraform.tfstate' });
  new VaultProvider(stack, 'vault', { address: 'https://vault.example:8200' });
  new VaultProvider(stack, 'vault-b', { address: 'https://vault-b.example:8200', alias: 'b' });
  const name = new TerraformVariable(stack, 'policy_name', { type: 'string', default: 'reader' });
  const local = new TerraformLocal(stack, 'prefix', `p-${name.stringValue}`);
  const policy = new Policy(stack, 'policy', { name: local.asString, policy: 'path "kv/data/*" { capabilities = ["read"] }' });
  new Policy(stack, 'second', { name: 'second', policy: policy.policy, dependsOn: [policy], lifecycle: { preventDestroy: true } });
  new TerraformOutput(stack, 'policy_id', { value: policy.id });
  return stack;
}

test('a plain stack with providers (two of a kind), backend, variable, local, references, lifecycle and an output', () => {
  const stack = plainStack();
  const ours = stackTerraform(stack);
  expect(JSON.stringify(ours)).toEqual(cdktfJson(stack));
  // The two providers' blocks are appended to one list, as cdktf merges them.
  expect(ours.provider.vault).toHaveLength(2);
  expect(ours.resource.vault_policy.second.policy).toBe('${vault_policy.policy.policy}');
});

test('raw overrides: merged as cdktf merges them (arrays appended, undefined deletes) and resolved where they land', () => {
  const stack = plainStack();
  const policy = stack.node.findChild('policy') as Policy;
  stack.addOverride('terraform.required_version', '>= 1.5');
  stack.addOverride('resource.vault_policy.second.depends_on', [`vault_policy.${policy.friendlyUniqueId}`]);
  stack.addOverride('resource.vault_policy.second.lifecycle', undefined);
  stack.addOverride('output.from_override', { value: policy.name });
  stack.addOverride('locals', { extra: { list: [policy.id, 'x'] } });
  const ours = stackTerraform(stack);
  expect(JSON.stringify(ours)).toEqual(cdktfJson(stack));
  expect(ours.terraform.required_version).toBe('>= 1.5');
  expect(ours.resource.vault_policy.second.lifecycle).toBeUndefined();
  expect(ours.resource.vault_policy.second.depends_on).toEqual(['vault_policy.policy', 'vault_policy.policy']);
  expect(ours.output.from_override.value).toBe('${vault_policy.policy.name}');
  expect(ours.locals.extra.list).toEqual(['${vault_policy.policy.id}', 'x']);
});

/**
 * The tenants' object storage created by Terraform (issue 23): per tenant with `objectStorage`, a MinIO user, its
 * policy (the tenant's prefix only) and their attachment, and the user's keys in Vault KV, written write-only from an
 * ephemeral password; the shared bucket read, not created. Terraform itself loads the stacks.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdktf';
import { findResource, prodEnv, resources, synthJson } from './fixtures';
import { TenantProps } from '../../src/model/tenant';
import { EnvironmentStack } from '../../src/tf/environment-stack';
import { MINIO_PROVIDER_VERSION } from '../../src/tf/minio';
import { ShardedEnvironment } from '../../src/tf/sharding';
import { RANDOM_PROVIDER_VERSION } from '../../src/tf/tenant-object-store';
import { evaluateS3Policy, S3Request } from '../support/s3-policy';
import { checkTerraformStack } from '../support/terraform';

const BUCKET = 'inopsio-tenant-data';
const TENANTS: TenantProps[] = [{ id: 'acme' }, { id: 'acme-corp', database: false }, { id: 'globex', objectStorage: false }];
const tmp = process.env.TMPDIR ?? '/tmp';

describe('TenantObjectStore in the environment stack', () => {
  const stack = new EnvironmentStack(Testing.app(), 'prod', { environment: prodEnv(TENANTS), objectStorage: { bucket: BUCKET } });
  const json = synthJson(stack);
  const byName = (type: string) => Object.values<any>(resources(json, type));

  test('exactly one user, policy, attachment and Vault KV secret per tenant with object storage (with or without a database)', () => {
    expect(byName('minio_iam_user').map(u => u.name).sort()).toEqual(['prod-acme', 'prod-acme-corp']);
    expect(byName('minio_iam_policy').map(p => p.name).sort()).toEqual(['prod-acme', 'prod-acme-corp']);
    expect(byName('minio_iam_user_policy_attachment')).toHaveLength(2);
    expect(byName('vault_kv_secret_v2').map(k => `${k.mount}/data/${k.name}`).sort()).toEqual([
      'kv-prod/data/prod/acme-corp/object-store', 'kv-prod/data/prod/acme/object-store',
    ]);
    const user = findResource(json, 'minio_iam_user', 'name', 'prod-acme');
    const policy = findResource(json, 'minio_iam_policy', 'name', 'prod-acme');
    const attachment = byName('minio_iam_user_policy_attachment').find(a => a.user_name === `\${${user.id}.name}`);
    expect(attachment).toEqual(expect.objectContaining({ policy_name: `\${${policy.id}.name}` }));
    expect(JSON.stringify(json)).not.toMatch(/prod\/globex\/object-store|"prod-globex"|object_store_prod_globex/);
  });

  test('the provider is pinned and configured from variables; no secret in the configuration, keys sent write-only', () => {
    expect(json.terraform.required_providers.minio).toEqual({ source: 'aminueza/minio', version: MINIO_PROVIDER_VERSION });
    expect(json.terraform.required_providers.random).toEqual({ source: 'hashicorp/random', version: RANDOM_PROVIDER_VERSION });
    expect(json.provider.minio).toEqual([{ minio_server: '${var.object_store_endpoint}', minio_user: '${var.object_store_admin_user}', minio_ssl: true }]);
    expect(Object.keys(json.variable)).toEqual(expect.arrayContaining(['object_store_endpoint', 'object_store_admin_user']));
    expect(JSON.stringify(json.provider.minio)).not.toMatch(/password|secret/);
    const user = findResource(json, 'minio_iam_user', 'name', 'prod-acme').body;
    expect(user).not.toHaveProperty('secret');
    expect(user.secret_wo).toBe('${ephemeral.random_password.object_store_prod_acme.result}');
    const keys = byName('vault_kv_secret_v2').find(k => k.name === 'prod/acme/object-store');
    expect(keys).not.toHaveProperty('data_json');
    expect(keys.data_json_wo).toContain('secret_key = ephemeral.random_password.object_store_prod_acme.result');
    expect(keys.data_json_wo_version).toBe(user.secret_wo_version);
    expect(json.ephemeral.random_password.object_store_prod_acme).toEqual({ length: 40, special: false });
    // The shared bucket is read (the plan fails while it is missing), never created or destroyed by an environment.
    expect(byName('minio_s3_bucket')).toEqual([]);
    expect(Object.values<any>(json.data.minio_s3_bucket)).toEqual([expect.objectContaining({ bucket: BUCKET })]);
  });

  test('the policy in the stack grants the tenant its prefix and nothing outside it', () => {
    const policy = JSON.parse(findResource(json, 'minio_iam_policy', 'name', 'prod-acme').body.policy);
    const allowed = (r: S3Request) => evaluateS3Policy(policy, r);
    const object = (key: string, action = 's3:GetObject') => ({ action, resource: `arn:aws:s3:::${BUCKET}/${key}` });
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) expect(allowed(object('prod/acme/invoices/1.pdf', action))).toBe(true);
    expect(allowed({ action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}`, prefix: 'prod/acme/invoices/' })).toBe(true);
    // Another tenant (also one whose id starts the same), another environment, the bucket root, another bucket.
    for (const key of ['prod/acme-corp/a.pdf', 'staging/acme/a.pdf', 'prod/acme', 'prod/globex/x', 'a.pdf']) {
      for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) expect(allowed(object(key, action))).toBe(false);
    }
    expect(allowed({ action: 's3:GetObject', resource: 'arn:aws:s3:::other-bucket/prod/acme/a.pdf' })).toBe(false);
    for (const prefix of ['', 'prod/', 'prod/acme-corp/', 'staging/acme/']) {
      expect(allowed({ action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}`, prefix })).toBe(false);
    }
    expect(allowed({ action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}` })).toBe(false);
    // Bucket and admin actions, policy changes.
    for (const action of ['s3:DeleteBucket', 's3:PutBucketPolicy', 's3:ListAllMyBuckets', 'admin:CreateUser', 's3:PutObjectRetention']) {
      expect(allowed({ action, resource: `arn:aws:s3:::${BUCKET}/prod/acme/a` })).toBe(false);
      expect(allowed({ action, resource: `arn:aws:s3:::${BUCKET}` })).toBe(false);
    }
  });

  test('the keys wait for the attachment and the KV mount; the tenant\'s Vault resources include them', () => {
    const keys = findResource(json, 'vault_kv_secret_v2', 'name', 'prod/acme/object-store').body;
    const attachment = Object.keys(resources(json, 'minio_iam_user_policy_attachment')).map(id => `minio_iam_user_policy_attachment.${id}`);
    expect(keys.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^vault_kv_secret_backend_v2\./)]));
    expect(attachment.some(a => keys.depends_on.includes(a))).toBe(true);
    const tenantVault = stack.vault.tenantResources('acme');
    expect(tenantVault.objectStore?.storage.prefix).toBe('prod/acme/');
    expect(tenantVault.dependables).toEqual(expect.arrayContaining(tenantVault.objectStore!.dependables));
  });

  test('without objectStorage the stack creates no object-store resource and needs no MinIO provider', () => {
    const plain = synthJson(new EnvironmentStack(Testing.app(), 'prod', { environment: prodEnv(TENANTS) }));
    expect(plain.provider.minio).toBeUndefined();
    expect(plain.resource.minio_iam_user).toBeUndefined();
    expect(plain.terraform.required_providers.random).toBeUndefined();
  });

  test('a sharded environment creates each tenant\'s user in the tenant\'s shard, one provider per shard', () => {
    const sharded = new ShardedEnvironment(Testing.app(), {
      environment: prodEnv(TENANTS), sharding: { shardCount: 2 }, objectStorage: { bucket: BUCKET },
    });
    const users = sharded.shards.flatMap(s => Object.values<any>(synthJson(s).resource?.minio_iam_user ?? {}).map(u => u.name));
    expect(users.sort()).toEqual(['prod-acme', 'prod-acme-corp']);
    expect(synthJson(sharded.base).resource?.minio_iam_user).toBeUndefined();
  });
});

test('Terraform loads a stack with object storage (terraform providers: minio and random pinned)', () => {
  const dir = fs.mkdtempSync(path.join(tmp, 'object-store-'));
  try {
    const app = new App({ outdir: dir });
    new EnvironmentStack(app, 'prod', { environment: prodEnv(TENANTS), objectStorage: { bucket: BUCKET } });
    app.synth();
    const check = checkTerraformStack(path.join(dir, 'stacks', 'prod'), path.join(dir, 'work'));
    expect(check.problems).toEqual([]);
    expect(check.providers).toEqual(expect.arrayContaining(['registry.terraform.io/aminueza/minio', 'registry.terraform.io/hashicorp/random']));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

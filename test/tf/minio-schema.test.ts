/**
 * The `aminueza/minio` blocks that src/tf/minio.ts writes by hand (no generated bindings) against the provider's schema
 * at the pinned version (test/schemas/terraform/aminueza-minio-<version>.json, SOURCES.md there): what `terraform
 * validate` would refuse once the provider is installed, which the registry-less CI cannot do.
 */
import * as path from 'path';
import { Testing } from 'cdktf';
import { prodEnv, synthJson } from './fixtures';
import { EnvironmentStack } from '../../src/tf/environment-stack';
import { MINIO_PROVIDER_VERSION } from '../../src/tf/minio';
import { checkProviderBlocks, readProviderSchema } from '../support/terraform-schema';

const SOURCE = 'registry.terraform.io/aminueza/minio';
const schemaFile = path.join(__dirname, '..', 'schemas', 'terraform', `aminueza-minio-${MINIO_PROVIDER_VERSION}.json`);

describe('the MinIO blocks against the aminueza/minio schema of the pinned version', () => {
  // The schema file is named by version: pinning another provider version without its schema fails here.
  const schema = readProviderSchema(schemaFile, SOURCE);
  const stack = () => synthJson(new EnvironmentStack(Testing.app(), 'prod', {
    environment: prodEnv([{ id: 'acme' }, { id: 'acme-corp', database: false }, { id: 'globex', objectStorage: false }]),
    objectStorage: { bucket: 'inopsio-tenant-data' },
  }));

  test('every provider configuration, resource and data source the environment stack writes is valid', () => {
    const json = stack();
    const result = checkProviderBlocks(schema, 'minio', json);
    expect(result.problems).toEqual([]);
    // Not vacuous: the provider, a user, policy and attachment per tenant with object storage, and the bucket.
    expect(result.checked).toBe(1 + 3 * 2 + 1);
    expect(Object.keys(json.resource).filter(t => t.startsWith('minio_')).sort()).toEqual(['minio_iam_policy', 'minio_iam_user', 'minio_iam_user_policy_attachment']);
  });

  test('a fixture with every kind of mistake fails, each named', () => {
    const json = stack();
    const [userId] = Object.keys(json.resource.minio_iam_user).sort();
    const [policyId] = Object.keys(json.resource.minio_iam_policy).sort();
    const [attachmentId] = Object.keys(json.resource.minio_iam_user_policy_attachment).sort();
    const [bucketId] = Object.keys(json.data.minio_s3_bucket);
    const user = json.resource.minio_iam_user[userId];
    delete user.name;
    delete user.secret_wo_version;
    user.secret_key = 'x';
    user.force_destroy = 'yes';
    user.status = 'enabled';
    user.tags = { team: 7 };
    json.resource.minio_iam_policy[policyId].name_prefix = 'prod-';
    json.resource.minio_iam_user_policy_attachment[attachmentId].user = 'prod-acme';
    json.data.minio_s3_bucket[bucketId].region = 'eu-1';
    json.provider.minio[0].minio_password_file = '/run/secret';
    json.provider.minio[0].assume_role = [{ role_arn: 'a' }, { role_arn: 'b' }];
    json.resource.minio_s3_bucket_versioning = { v: { bucket: 'inopsio-tenant-data' } };
    expect(checkProviderBlocks(schema, 'minio', json).problems.sort()).toEqual([
      'data.minio_s3_bucket.' + bucketId + '.region: is computed only and cannot be set',
      'minio_iam_policy.' + policyId + ': sets both name and name_prefix, which conflict',
      'minio_iam_user.' + userId + ': sets secret_wo without secret_wo_version',
      'minio_iam_user.' + userId + '.force_destroy: is not a bool (got "yes")',
      'minio_iam_user.' + userId + '.name: is required and missing',
      'minio_iam_user.' + userId + '.secret_key: is not an argument of the schema',
      'minio_iam_user.' + userId + '.status: is computed only and cannot be set',
      'minio_iam_user.' + userId + '.tags: has entry "team" that is not a string (got {"team":7})',
      'minio_iam_user_policy_attachment.' + attachmentId + '.user: is not an argument of the schema',
      'minio_s3_bucket_versioning.v: resource type minio_s3_bucket_versioning is not in the registry.terraform.io/aminueza/minio schema',
      'provider.minio[0].assume_role: has 2 blocks, at most 1 allowed',
      'provider.minio[0].minio_password_file: is not an argument of the schema',
    ].sort());
  });

  test('references stand for any type; numbers below the provider\'s minimum and conflicting secrets are refused', () => {
    const json = stack();
    const [userId] = Object.keys(json.resource.minio_iam_user).sort();
    const user = json.resource.minio_iam_user[userId];
    user.force_destroy = '${var.force}';
    expect(checkProviderBlocks(schema, 'minio', json).problems).toEqual([]);
    user.secret_wo_version = 0;
    user.secret = 'plain';
    expect(checkProviderBlocks(schema, 'minio', json).problems.sort()).toEqual([
      `minio_iam_user.${userId}: sets both secret and secret_wo, which conflict`,
      `minio_iam_user.${userId}: sets both secret and secret_wo_version, which conflict`,
      `minio_iam_user.${userId}.secret_wo_version: is 0, less than 1`,
    ].sort());
  });
});

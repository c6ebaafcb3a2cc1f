import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { Tenant } from '../../src/model/tenant';
import { tenantObjectStorage, tenantObjectStoragePolicy } from '../../src/model/tenant-object-storage';

const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION });

/** S3 wildcard match of a policy resource or prefix pattern (`*` any run, `?` one character). */
function matches(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(p => p.replace(/[.+^${}()|[\]\\?]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

describe('tenantObjectStorage', () => {
  test('a prefix per environment and tenant, keys in the tenant\'s KV prefix', () => {
    expect(tenantObjectStorage(prod, new Tenant({ id: 'acme' }), 'inopsio-tenant-data')).toEqual({
      bucket: 'inopsio-tenant-data',
      prefix: 'prod/acme/',
      kvPath: 'kv-prod/data/prod/acme/object-store',
      kvReference: 'kv/data/object-store',
      userName: 'prod-acme',
    });
  });

  test('the policy reaches the tenant\'s own objects only, never a sibling whose id starts the same', () => {
    const acme = tenantObjectStorage(prod, new Tenant({ id: 'acme' }), 'data');
    const policy = JSON.parse(tenantObjectStoragePolicy(acme));
    const objects = policy.Statement.find((s: any) => s.Sid === 'ObjectsUnderOwnPrefix');
    const list = policy.Statement.find((s: any) => s.Sid === 'ListOwnPrefix');
    expect(objects.Resource).toEqual(['arn:aws:s3:::data/prod/acme/*']);
    expect(objects.Action).not.toContain('s3:*');
    for (const key of ['prod/acme/a.pdf', 'prod/acme/x/y/z']) expect(matches(objects.Resource[0], `arn:aws:s3:::data/${key}`)).toBe(true);
    for (const key of ['prod/acme-corp/a.pdf', 'staging/acme/a.pdf', 'prod/acme', 'prod/globex/a']) expect(matches(objects.Resource[0], `arn:aws:s3:::data/${key}`)).toBe(false);
    expect(list.Condition.StringLike['s3:prefix'].some((p: string) => matches(p, 'prod/acme-corp/'))).toBe(false);
    expect(list.Condition.StringLike['s3:prefix'].some((p: string) => matches(p, 'prod/acme/invoices/'))).toBe(true);
    expect(tenantObjectStoragePolicy(acme)).toBe(tenantObjectStoragePolicy(acme));
  });
});

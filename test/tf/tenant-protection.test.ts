/**
 * Issue 21 item 3: in permanent classes the stacks mark tenant data `lifecycle { prevent_destroy = true }`, so that
 * Terraform itself refuses a plan that deletes or replaces it (the tenant-upgrade plan gate is the first line).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdktf';
import { ACME, DATABASE, GLOBEX, prodEnv, stackFor, stagingEnv, synthJson, writeChart } from './fixtures';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { isTenantDataResource, TENANT_DATA_RESOURCE_TYPES } from '../../src/model/tenant-protection';
import { ShardedEnvironment } from '../../src/tf/sharding';
import { checkTerraformStack } from '../support/terraform';

/** `<type>.<name>` of every resource, with whether it has prevent_destroy. */
function protection(json: any): Array<[string, boolean]> {
  return Object.entries<any>(json.resource ?? {}).flatMap(([type, rs]) =>
    Object.entries<any>(rs).map(([name, body]): [string, boolean] => [`${type}.${name}`, body.lifecycle?.prevent_destroy === true]));
}

function bodyOf(json: any, address: string): any {
  const [type, name] = address.split('.');
  return json.resource[type][name];
}

describe('prevent_destroy on tenant data of permanent stacks', () => {
  const prod = synthJson(stackFor(prodEnv([ACME, GLOBEX]), { releases: { installModules: true } }));

  test('production: every database, role, schema, Vault mount and namespace-bearing release is protected, nothing else', () => {
    const all = protection(prod);
    const protectedOnes = all.filter(([, p]) => p).map(([a]) => a);
    const types = new Set(protectedOnes.map(a => a.split('.')[0]));
    // Each protected type of the model is present in this stack, so the assertion below covers each.
    expect([...types].sort()).toEqual([...TENANT_DATA_RESOURCE_TYPES].sort());
    for (const [address, isProtected] of all) {
      const [type] = address.split('.');
      expect({ address, isProtected }).toEqual({ address, isProtected: isTenantDataResource(type, bodyOf(prod, address)) });
    }
    // The base release (creates the namespace) is protected; the module release is not (removing a module is an upgrade).
    const releases = Object.entries<any>(prod.resource.helm_release).map(([, b]) => [b.name, b.lifecycle?.prevent_destroy === true]);
    expect(releases).toEqual(expect.arrayContaining([['acme-base', true], ['globex-base', true], ['acme-billing', false]]));
  });

  test('staging (persistent, not permanent): nothing is marked', () => {
    const staging = synthJson(stackFor(stagingEnv([ACME, GLOBEX])));
    expect(protection(staging).filter(([, p]) => p)).toEqual([]);
  });

  test('a sharded production environment protects the tenants of every shard', () => {
    const app = Testing.app() as App;
    const env = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: DATABASE, tenants: [{ id: 't0' }, { id: 't1' }, { id: 't2' }] });
    const sharded = new ShardedEnvironment(app, { environment: env, sharding: { shardCount: 2 } });
    for (const t of env.tenants) sharded.stackForTenant(t.id).addTenantBase(t, writeChart(`protected-${t.id}`, env.namespaceFor(t.id)));
    const stacks = sharded.stacks.map(s => JSON.parse(Testing.synth(s)));
    const bases = stacks.flatMap(j => Object.values<any>(j.resource?.helm_release ?? {}));
    expect(bases.map(b => [b.name, b.lifecycle])).toEqual(['t0', 't1', 't2'].map(t => [`${t}-base`, { prevent_destroy: true }]).sort());
    const databases = stacks.flatMap(j => Object.values<any>(j.resource?.postgresql_database ?? {}));
    expect(databases).toHaveLength(3);
    for (const d of databases) expect(d.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('terraform providers accepts the protected production stack (real Terraform)', () => {
    const app = Testing.app() as App;
    const outdir = (app as any).outdir as string;
    stackFor(prodEnv([ACME, GLOBEX]), {}, app);
    app.synth();
    const stackDir = path.join(outdir, 'stacks', 'prod');
    expect(JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')).resource.postgresql_database).toBeDefined();
    const work = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'protected-'));
    const check = checkTerraformStack(stackDir, work);
    expect(check.problems).toEqual([]);
    const written = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    expect(Object.values<any>(written.resource.postgresql_database).map(d => d.lifecycle)).toEqual([{ prevent_destroy: true }]);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import * as fc from 'fast-check';
import { backupProps, githubProps } from './fixtures';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { argoCdApplicationName, backupJobNames, tenantNamespaceName, tenantVaultNames } from '../../src/model/names';
import { isDnsLabel } from '../../src/model/naming';
import { TenantProps, TenantState } from '../../src/model/tenant';
import { Platform } from '../../src/platform/platform';

// Issue 16 item 3: the names the library makes are the same in every environment for the same tenant and module,
// only the environment part differs, for tenant ids of 1..40 characters; and an identical staging and production
// pass parity (Platform.synth asserts it), whatever the ids and whichever tenants are suspended.

const billing = { name: 'billing', chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1' };

/** A tenant id (DNS label) of exactly `length` characters. */
function idOfLength(length: number, seed: string = 'northwind-traders-emea-1-and-more-chars-x'): string {
  const body = seed.repeat(Math.ceil(length / seed.length)).slice(0, length).replace(/-+$/, '');
  return body.length === length ? body : `${body}${'z'.repeat(length - body.length)}`;
}

const tenantId = (min: number, max: number) => fc.integer({ min, max }).chain(n => fc.stringMatching(new RegExp(`^[a-z][-a-z0-9]{${Math.max(0, n - 2)}}[a-z0-9]$`)).map(s => (n === 1 ? s.slice(0, 1) : s)));

/** Synthesize a staging and a production with the same tenants; throws the parity error if they do not mirror. */
function synthesize(tenants: TenantProps[]): string {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'env-names-'));
  const environments = [
    new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, tenants }),
    new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants }),
  ];
  new Platform(new App({ outdir: path.join(dir, 'cdktf.out') }), 'inopsio', { outdir: path.join(dir, 'dist'), backup: backupProps(), github: githubProps(), environments }).synth();
  return dir;
}

function tenantsOf(ids: string[], suspended: boolean[]): TenantProps[] {
  return ids.map((id, i) => ({ id, database: true, modules: [billing], state: suspended[i] ? TenantState.SUSPENDED : TenantState.ACTIVE }));
}

describe('names differ between environments in the environment part only', () => {
  const envs = ['dev', 'staging', 'prod', 'production', 'qa-eu-west-1'];

  test.each([1, 23, 24, 40])('a %i-character tenant id', length => {
    const id = idOfLength(length);
    expect(id).toHaveLength(length);
    // Each name starts with the environment (or has none): what follows it must be the same in every environment.
    for (const [what, make] of [
      ['namespace', (env: string) => tenantNamespaceName(env, id)],
      ['Argo CD Application', (env: string) => argoCdApplicationName(env, id, 'billing-reporting-exports')],
      ['database role', (env: string) => tenantVaultNames({ name: env }, { id }).databaseAppRole],
    ] as const) {
      const rests = envs.map(env => {
        const name = make(env);
        expect(name.startsWith(what === 'database role' ? env.replace(/-/g, '_') : env)).toBe(true);
        return name.slice(env.length);
      });
      expect({ what, distinct: new Set(rests).size }).toEqual({ what, distinct: 1 });
    }
    expect(isDnsLabel(backupJobNames(id).restoreDrillCronJob, 52)).toBe(true);
  });

  test('property: any id of 1..40 characters, any environment of at most 15 characters', () => {
    const envName = fc.stringMatching(/^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$/);
    fc.assert(fc.property(tenantId(1, 40), envName, envName, (id, a, b) => {
      fc.pre(a !== b);
      const ns = [tenantNamespaceName(a, id), tenantNamespaceName(b, id)];
      expect(ns.map(n => n.length <= 63 && isDnsLabel(n))).toEqual([true, true]);
      expect(ns[0].slice(a.length)).toBe(ns[1].slice(b.length));
      const apps = [argoCdApplicationName(a, id, 'billing-reporting-exports'), argoCdApplicationName(b, id, 'billing-reporting-exports')];
      expect(apps.map(n => isDnsLabel(n, 63))).toEqual([true, true]);
      expect(apps[0].slice(a.length)).toBe(apps[1].slice(b.length));
    }), { numRuns: 300 });
  });

  test('a long environment name (a preview) still gets valid names, shortened as a whole', () => {
    const env = 'preview-feature-jira-123-add-bi-c34129';
    const id = idOfLength(40);
    expect(isDnsLabel(tenantNamespaceName(env, id), 63)).toBe(true);
    expect(tenantNamespaceName(env, id)).toMatch(/-[0-9a-f]{6}$/);
    expect(isDnsLabel(argoCdApplicationName(env, id, 'billing'), 63)).toBe(true);
  });
});

describe('an identical staging and production pass parity', () => {
  test.each([1, 23, 24, 40])('one tenant with a %i-character id, and a suspended one beside it', length => {
    const id = idOfLength(length);
    const other = length === 1 ? 'globex' : 'g';
    expect(() => synthesize(tenantsOf([id, other], [false, true]))).not.toThrow();
    expect(() => synthesize(tenantsOf([other, id], [false, true]))).not.toThrow();
  });

  test('property: random ids and suspended/active mixes', () => {
    fc.assert(fc.property(
      fc.uniqueArray(tenantId(1, 40), { minLength: 1, maxLength: 3 }),
      fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      (ids, suspended) => {
        synthesize(tenantsOf(ids, suspended));
      },
    ), { numRuns: 6 });
  });
});

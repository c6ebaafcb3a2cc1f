import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { referenceEnvironments } from './fixtures';
import { EXIT, main } from '../../src/lifecycle/cli';
import { buildInventory, writeInventory } from '../../src/lifecycle/inventory';
import { TENANT_REGISTRY_FORMAT } from '../../src/lifecycle/tenant-registry';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantState } from '../../src/model/tenant';

const ROOT = path.resolve(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
const inventoryFile = writeInventory(path.join(dir, 'dist'), buildInventory(referenceEnvironments()));
/** Every staging and production tenant archived: what a whole-environment decommission needs. */
const retiredFile = writeInventory(path.join(dir, 'retired'), buildInventory(referenceEnvironments(['staging', 'prod'])));
const previewName = Environment.preview({ branch: 'feature/JIRA-123_Add Billing!!', owner: 'd', createdAt: '2026-11-28T09:00:00Z' }).name;

function run(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = main(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

function registry(file: string, tenants: object[] = []): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({
    format: TENANT_REGISTRY_FORMAT,
    environment: path.basename(file, '.json'),
    modules: { billing: { chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1' } },
    defaultModules: ['billing'],
    tenants,
  }));
  return file;
}

describe('the inventory of an output folder (issue 18: the CLI reads the output through src/output)', () => {
  test('without --inventory, --out <dir> finds <dir>/lifecycle.json; without --out, ./dist/lifecycle.json', () => {
    const withFlag = run('plan-decommission', '--inventory', inventoryFile, '--targets', 'stacks', 'dev');
    const withOut = run('plan-decommission', '--out', path.join(dir, 'dist'), '--targets', 'stacks', 'dev');
    expect(withOut).toEqual(withFlag);
    expect(withOut.stdout).toBe('cdktf.out/stacks/dev\n');
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      expect(run('plan-decommission', '--targets', 'stacks', 'dev')).toEqual(withFlag);
    } finally {
      process.chdir(cwd);
    }
  });

  test('no inventory there: a usage error (exit 2) that names the file it looked for', () => {
    const r = run('expired', '--out', path.join(dir, 'empty'), '--at', '2026-11-30T09:00:00Z');
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toContain(`expired: --inventory is required: there is no ${path.join(dir, 'empty', 'lifecycle.json')} (--out ${path.join(dir, 'empty')})`);
  });
});

describe('inopsio-env main()', () => {
  describe('help and usage errors (exit 2)', () => {
    test('--help lists every command and the exit codes', () => {
      const r = run('--help');
      expect(r.code).toBe(0);
      for (const c of ['expired', 'plan-decommission', 'preview-name', 'tenant-signup', 'tenant-remove', 'tenant-suspend', 'tenant-resume', 'tenant-archive']) expect(r.stdout).toContain(`  ${c}`);
      expect(r.stdout).toMatch(/Exit codes: 0 success, 1 runtime failure, 2 usage error[^]*, 3 refused \(a refused transition or a blocked decommission plan\)/);
      expect(r.stdout).toContain('  registry-init');
      expect(run('help', 'expired').stdout).toMatch(/^usage: inopsio-env expired \[--inventory <file> \| --out <dir>\] --at <ISO-8601 UTC time>/);
      expect(run('plan-decommission', '--help').stdout).toMatch(/final-backup, verify-backup, revoke-leases, disable-roles, destroy/);
    });

    test.each([
      [[], /usage: inopsio-env <command>/],
      [['frobnicate'], /inopsio-env: unknown command "frobnicate"/],
      [['expired', '--inventory', 'x.json'], /expired: --at is required\nusage: inopsio-env expired/],
      [['expired', '--inventory', 'x.json', '--at', 'tomorrow'], /--at is not an ISO-8601 UTC instant \(got "tomorrow"\)/],
      [['expired', '--inventory', 'x.json', '--at', '2026-11-30T09:00:00+01:00'], /--at is not an ISO-8601 UTC instant/],
      [['expired', '--at', '2026-11-30T09:00:00Z', '--out', path.join(dir, 'nothing-synthesized')], /expired: --inventory is required: there is no .*nothing-synthesized\/lifecycle\.json \(--out .*\); synthesize first, or pass --inventory <file> or --out <folder>/],
      [['expired', '--inventory', 'x.json', '--at'], /--at needs a value/],
      [['expired', '--inventory', 'x.json', '--at', '2026-11-30T09:00:00Z', '--colour', 'red'], /unknown option --colour/],
      [['expired', '--inventory', 'x.json', '--at', '2026-11-30T09:00:00Z', '--lifecycle', 'forever'], /--lifecycle must be one of reusable, persistent, permanent, ephemeral/],
      [['expired', '--json=yes', '--inventory', 'x.json', '--at', '2026-11-30T09:00:00Z'], /--json takes no value/],
      [['plan-decommission', '--inventory', 'x.json'], /missing <environment>/],
      [['plan-decommission', '--inventory', 'x.json', 'prod', 'acme', 'extra'], /unexpected argument "extra"/],
      [['plan-decommission', '--inventory', 'x.json', '--format', 'yaml', 'prod'], /--format must be text, json or sh/],
      [['plan-decommission', '--inventory', 'x.json', '--step', 'destroy', 'prod'], /--step needs --format sh/],
      [['plan-decommission', '--inventory', 'x.json', '--format', 'sh', '--step', 'nuke', 'prod'], /--step "nuke" is not one of final-backup/],
      [['plan-decommission', '--inventory', 'x.json', '--targets', 'everything', 'prod'], /--targets must be one of backup-jobs/],
      [['preview-name'], /--branch is required/],
      [['preview-name', '--branch', '  '], /--branch is blank/],
    ])('%j', (argv, message) => {
      const r = run(...(argv as string[]));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  });

  describe('expired', () => {
    test('nothing has expired before the first expiry: empty stdout, exit 0', () => {
      const r = run('expired', '--inventory', inventoryFile, '--at', '2026-11-28T10:00:00Z');
      expect(r).toEqual({ code: 0, stdout: '', stderr: 'inopsio-env: nothing has expired at 2026-11-28T10:00:00Z\n' });
    });

    test('lists expired environments, soonest first, tab-separated', () => {
      const r = run('expired', '--inventory', inventoryFile, '--at', '2026-12-01T00:00:00Z');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe([
        'dev\t2026-11-29T09:00:00Z\treusable\tinopsio/inopsio-dev',
        `${previewName}\t2026-11-30T09:00:00Z\tephemeral\tinopsio/inopsio-${previewName}`,
        '',
      ].join('\n'));
    });

    test('--json and --lifecycle: only the expired preview, as the cleanup workflow reads it', () => {
      const r = run('expired', '--inventory', inventoryFile, '--at', '2026-12-01T00:00:00Z', '--lifecycle', 'ephemeral', '--json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([{
        name: previewName,
        lifecycle: 'ephemeral',
        expiresAt: '2026-11-30T09:00:00Z',
        organization: 'inopsio',
        workspace: `inopsio-${previewName}`,
        stackDirectory: `cdktf.out/stacks/${previewName}`,
        owner: 'dana@inopsio.example',
        sourceBranch: 'feature/JIRA-123_Add Billing!!',
      }]);
      expect(JSON.parse(run('expired', '--inventory', inventoryFile, '--at', '2026-11-28T10:00:00Z', '--json').stdout)).toEqual([]);
    });

    test('an unreadable, non-JSON or schema-invalid inventory is a usage error naming the file and every problem', () => {
      expect(run('expired', '--inventory', path.join(dir, 'nope.json'), '--at', '2026-12-01T00:00:00Z')).toMatchObject({ code: 2, stderr: expect.stringMatching(/nope\.json: cannot be read \(ENOENT\)/) });
      fs.writeFileSync(path.join(dir, 'garbage.json'), 'not json');
      expect(run('expired', '--inventory', path.join(dir, 'garbage.json'), '--at', '2026-12-01T00:00:00Z')).toMatchObject({ code: 2, stderr: expect.stringMatching(/garbage\.json: is not JSON/) });
      const bad = JSON.parse(fs.readFileSync(inventoryFile, 'utf8'));
      bad.environments[0].expiresAt = 'soon';
      bad.environments[1].lifecycle = 'forever';
      fs.writeFileSync(path.join(dir, 'invalid.json'), JSON.stringify(bad));
      const r = run('expired', '--inventory', path.join(dir, 'invalid.json'), '--at', '2026-12-01T00:00:00Z');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/invalid\.json: \/environments\/0\/expiresAt: must match/);
      expect(r.stderr).toMatch(/invalid\.json: \/environments\/1\/lifecycle: must be one of "reusable", "persistent", "permanent", "ephemeral", got "forever"/);
      expect(r.stdout).toBe('');
    });
  });

  describe('plan-decommission', () => {
    test('prints the production plan with its two approvals and exact commands; with active tenants it is refused (exit 3)', () => {
      const r = run('plan-decommission', '--inventory', inventoryFile, 'prod');
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/^Decommission plan: environment "prod" \(permanent\)\nApprovals required: 2 \(two-step approval, distinct reviewers; GitHub environments decommission-approval-1, decommission-approval-2\)/);
      const order = ['1. final-backup', '2. verify-backup', '3. revoke-leases', '4. disable-roles', '5. destroy'].map(s => r.stdout.indexOf(s));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(order[0]).toBeGreaterThan(0);
      expect(r.stdout).toContain('   vault lease revoke -sync -prefix database-prod/creds/acme-db\n');
      expect(r.stdout).toContain('   terraform -chdir=cdktf.out/stacks/prod destroy -auto-approve -input=false -no-color -lock-timeout=20m\n');
      expect(r.stderr).toMatch(/prod is blocked:\n  - environment "prod" still has tenants that are not archived \(acme: active, globex: active\): suspend and archive each/);
      expect(r.stderr).not.toMatch(/planDecommission|transitionTenant|writeInventory/);
      // Nothing to run: no script and no targets while blocked.
      expect(run('plan-decommission', '--inventory', inventoryFile, '--format', 'sh', 'prod')).toMatchObject({ code: 3, stdout: '' });
      expect(run('plan-decommission', '--inventory', inventoryFile, '--targets', 'stacks', 'prod')).toMatchObject({ code: 3, stdout: '' });
      // Once every tenant is archived the plan runs.
      const archived = writeInventory(path.join(dir, 'archived'), buildInventory([new Environment({
        name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: ['acme', 'globex'].map(id => ({ id, state: TenantState.ARCHIVED })),
      })]));
      expect(run('plan-decommission', '--inventory', archived, 'prod')).toMatchObject({ code: 0, stderr: '' });
      expect(run('plan-decommission', '--inventory', archived, '--targets', 'stacks', 'prod')).toEqual({ code: 0, stdout: 'cdktf.out/stacks/prod\n', stderr: '' });
      // An environment without backups (development) is not blocked by its active tenants; staging keeps backups and is.
      expect(run('plan-decommission', '--inventory', inventoryFile, 'dev').code).toBe(0);
      expect(run('plan-decommission', '--inventory', inventoryFile, 'staging').code).toBe(3);
    });

    test('--targets of a tenant-only kind for a whole environment says why it is empty (exit 0)', () => {
      for (const kind of ['namespaces', 'helm-releases', 'argocd-applications']) {
        expect(run('plan-decommission', '--inventory', retiredFile, '--targets', kind, 'staging')).toEqual({
          code: 0,
          stdout: '',
          stderr: `inopsio-env: plan-decommission: no ${kind} for a whole environment: terraform destroy of its stacks removes them (see --targets stacks)\n`,
        });
      }
      expect(run('plan-decommission', '--inventory', inventoryFile, '--targets', 'namespaces', 'prod', 'initech')).toEqual({ code: 0, stdout: 'prod\tprod-initech\n', stderr: '' });
    });

    test('a tenant plan, as JSON', () => {
      const r = run('plan-decommission', '--inventory', inventoryFile, '--format', 'json', 'prod', 'initech');
      expect(r.code).toBe(0);
      const plan = JSON.parse(r.stdout);
      expect(plan).toMatchObject({ target: 'prod/initech', approvalsRequired: 2, blockers: [] });
      expect(plan.steps.map((s: any) => s.id)).toEqual(['final-backup', 'verify-backup', 'revoke-leases', 'disable-roles', 'destroy', 'remove-objects', 'forget']);
    });

    test('--format sh --step and --targets give what the workflow jobs run', () => {
      const sh = run('plan-decommission', '--inventory', inventoryFile, '--format', 'sh', '--step', 'revoke-leases,disable-roles', 'prod', 'initech');
      expect(sh.code).toBe(0);
      expect(sh.stdout).toMatch(/^#!\/usr\/bin\/env bash\n/);
      expect(sh.stdout).toContain('vault lease revoke -sync -prefix database-prod/creds/initech-db');
      expect(sh.stdout).not.toContain('helm uninstall');
      expect(run('plan-decommission', '--inventory', retiredFile, '--targets', 'lease-prefixes', 'prod')).toEqual({
        code: 0,
        stdout: `${['acme', 'globex', 'initech'].flatMap(t => ['db', 'backup', 'drill'].map(r => `database-prod/creds/${t}-${r}\n`)).join('')}auth/kubernetes-prod/login\n`,
        stderr: '',
      });
    });

    test('unknown environment or tenant: exit 2 with the known names', () => {
      expect(run('plan-decommission', '--inventory', inventoryFile, 'qa')).toMatchObject({ code: 2, stderr: expect.stringMatching(/environment is not in the inventory \(got "qa"\); use one of dev, /) });
      expect(run('plan-decommission', '--inventory', inventoryFile, 'prod', 'umbrella')).toMatchObject({ code: 2, stderr: expect.stringMatching(/tenant is not in environment "prod" \(got "umbrella"\)/) });
    });

    test('an active tenant: the plan is printed for reading, but the command is refused (exit 3), and no script or targets are given', () => {
      const r = run('plan-decommission', '--inventory', inventoryFile, 'prod', 'acme');
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/BLOCKED: tenant "acme" is active/);
      expect(r.stderr).toMatch(/prod\/acme is blocked/);
      expect(r.stderr).toMatch(/set its state to archived \(state "archived" in the tenant registry, or TenantState.ARCHIVED in main.ts\) and apply/);
      expect(run('plan-decommission', '--inventory', inventoryFile, '--format', 'sh', 'prod', 'acme')).toMatchObject({ code: 3, stdout: '' });
      expect(run('plan-decommission', '--inventory', inventoryFile, '--targets', 'namespaces', 'prod', 'acme')).toMatchObject({ code: 3, stdout: '' });
    });
  });

  describe('preview-name', () => {
    test('key=value lines for $GITHUB_OUTPUT, and JSON', () => {
      expect(run('preview-name', '--branch', 'feature/JIRA-123_Add Billing!!').stdout).toBe(`name=${previewName}\nslug=${previewName.slice(8)}\nworkspace=inopsio-${previewName}\n`);
      expect(JSON.parse(run('preview-name', '--branch=main', '--json').stdout)).toEqual({ name: 'preview-main', slug: 'main', workspace: 'inopsio-preview-main' });
    });

    test('property: always the name and workspace Environment.preview() gives, and nothing a shell could misread', () => {
      fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 120 }).filter(b => !b.startsWith('--') && b.trim() !== ''), branch => {
        const r = run('preview-name', '--branch', branch, '--json');
        const env = Environment.preview({ branch, owner: 'o', createdAt: '2026-11-28T09:00:00Z' });
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ name: env.name, workspace: env.workspace });
        expect(r.stdout).toMatch(/^\{"name":"[a-z0-9-]+","slug":"[a-z0-9-]+","workspace":"[a-z0-9-]+"\}\n$/);
      }), { numRuns: 300 });
    });
  });

  describe('tenant-signup and tenant-remove', () => {
    const payload = (p: object) => {
      const file = path.join(dir, `payload-${Math.random().toString(36).slice(2)}.json`);
      fs.writeFileSync(file, JSON.stringify(p));
      return file;
    };
    const signup = { tenantId: 'umbrella', displayName: 'Umbrella Corp', environment: 'prod', signedUpAt: '2026-11-28T09:00:00Z', requestId: 'evt_1' };

    test('adds the tenant (sorted, canonical JSON), prints the outputs the workflow uses; a redelivery changes nothing', () => {
      const regDir = path.join(dir, 'tenants-a');
      const file = registry(path.join(regDir, 'prod.json'), [{ id: 'zeta', displayName: 'Zeta', state: 'active', createdAt: '2026-01-01T00:00:00Z', modules: [] }]);
      const r = run('tenant-signup', '--payload', payload(signup), '--registry-dir', regDir);
      expect(r).toEqual({
        code: 0,
        stdout: `outcome=added\nenvironment=prod\ntenant=umbrella\nregistry=${file}\n`,
        stderr: `inopsio-env: tenant umbrella added to ${file}\n`,
      });
      const written = fs.readFileSync(file, 'utf8');
      expect(JSON.parse(written).tenants).toEqual([
        { createdAt: '2026-11-28T09:00:00Z', displayName: 'Umbrella Corp', id: 'umbrella', modules: ['billing'], requestId: 'evt_1', state: 'active' },
        { createdAt: '2026-01-01T00:00:00Z', displayName: 'Zeta', id: 'zeta', modules: [], state: 'active' },
      ]);
      const again = run('tenant-signup', '--payload', payload(signup), '--registry-dir', regDir);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/^outcome=already-registered\n/);
      expect(fs.readFileSync(file, 'utf8')).toBe(written);

      expect(run('tenant-remove', '--registry', file, 'umbrella')).toEqual({ code: 0, stdout: 'removed=umbrella\n', stderr: '' });
      expect(JSON.parse(fs.readFileSync(file, 'utf8')).tenants.map((t: any) => t.id)).toEqual(['zeta']);
      expect(run('tenant-remove', '--registry', file, 'umbrella')).toMatchObject({ code: 2, stderr: expect.stringMatching(/tenantId is not registered \(got "umbrella"\); use one of zeta\n/) });
      const empty = registry(path.join(dir, 'tenants-empty', 'prod.json'));
      const none = run('tenant-remove', '--registry', empty, 'umbrella');
      expect(none.stderr).toMatch(/tenantId is not registered \(got "umbrella"\); the registry of prod has no tenants: check the environment and the tenant id\n/);
      expect(none.stderr).not.toContain('use one of');
    });

    test('a payload that breaks the schema is refused with every problem, and nothing is written', () => {
      const regDir = path.join(dir, 'tenants-b');
      const file = registry(path.join(regDir, 'prod.json'));
      const before = fs.readFileSync(file, 'utf8');
      const r = run('tenant-signup', '--payload', payload({ tenantId: 'Umbrella_Corp', environment: '../etc', signedUpAt: 'now', modules: ['billing', 'billing'], script: '$(rm -rf /)' }), '--registry-dir', regDir);
      expect(r.code).toBe(2);
      for (const m of [/\/tenantId: contains uppercase letters \(got "Umbrella_Corp"\); use 1 to 40 lowercase letters, digits and "-", starting and ending with a letter or digit, e.g. "acme-corp"/, /\/environment: contains "\." \(got "..\/etc"\)/, /\/signedUpAt: must match/, /is missing required property "displayName"/, /\/modules: items 0 and 1 are identical/, /\/script: is not an allowed property/]) {
        expect(r.stderr).toMatch(m);
      }
      expect(r.stdout).toBe('');
      expect(fs.readFileSync(file, 'utf8')).toBe(before);
    });

    test('refused: unknown environment, module outside the catalog, a taken id with other details', () => {
      const regDir = path.join(dir, 'tenants-c');
      registry(path.join(regDir, 'prod.json'), [{ id: 'umbrella', displayName: 'Other', state: 'active', createdAt: '2026-01-01T00:00:00Z', modules: [] }]);
      expect(run('tenant-signup', '--payload', payload({ ...signup, environment: 'qa' }), '--registry-dir', regDir))
        .toMatchObject({ code: 2, stderr: expect.stringMatching(/qa\.json: does not exist \(environment "qa" of the payload\); create it once with "inopsio-env registry-init --registry-dir [^"]+ qa"/) });
      const r = run('tenant-signup', '--payload', payload({ ...signup, modules: ['crypto-miner'] }), '--registry-dir', regDir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/modules names a module that is not in the catalog \(got "crypto-miner"\); use one of billing/);
      expect(r.stderr).toMatch(/tenantId is already registered in prod with different details/);
    });

    test('registry-init creates the registry a first sign-up needs, and never overwrites one', () => {
      const regDir = path.join(dir, 'tenants-new');
      const file = path.join(regDir, 'prod.json');
      expect(run('tenant-signup', '--payload', payload(signup), '--registry-dir', regDir).code).toBe(2);
      expect(run('registry-init', '--registry-dir', regDir, 'prod')).toEqual({ code: 0, stdout: `registry=${file}\n`, stderr: '' });
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ format: TENANT_REGISTRY_FORMAT, environment: 'prod', modules: {}, defaultModules: [], tenants: [] });
      expect(run('tenant-signup', '--payload', payload(signup), '--registry-dir', regDir)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^outcome=added\n/) });
      const written = fs.readFileSync(file, 'utf8');
      expect(run('registry-init', '--registry-dir', regDir, 'prod')).toMatchObject({ code: 2, stderr: expect.stringMatching(/prod\.json already exists/) });
      expect(fs.readFileSync(file, 'utf8')).toBe(written);
      expect(run('registry-init', '--registry-dir', regDir, 'Prod_1')).toMatchObject({ code: 2, stderr: expect.stringMatching(/environment contains uppercase letters \(got "Prod_1"\)/) });
    });

    test('a registry that cannot be written is a runtime failure (exit 1)', () => {
      const regDir = path.join(dir, 'tenants-d');
      const file = registry(path.join(regDir, 'prod.json'));
      fs.mkdirSync(`${file}.partial`);
      const r = run('tenant-signup', '--payload', payload(signup), '--registry-dir', regDir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^inopsio-env: tenant-signup failed: EISDIR/);
    });
  });

  describe('tenant-suspend, tenant-resume, tenant-archive (issue 17 item 3)', () => {
    const acme = { id: 'acme', displayName: 'Acme Corp', state: 'active', createdAt: '2026-01-15T10:00:00Z', modules: ['billing'] };
    const reg = (name: string, state = 'active') => registry(path.join(dir, `states-${name}`, 'prod.json'), [{ ...acme, state }]);
    const stateOf = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')).tenants[0].state;
    const sha = 'ab'.repeat(32);

    test('active -> suspended -> active -> suspended -> archived, each through the validated transitions', () => {
      const file = reg('walk');
      const suspend = run('tenant-suspend', '--registry', file, '--inventory', inventoryFile, '--at', '2026-11-30T09:00:00Z', '--last-activity', '2026-08-01T00:00:00Z', 'acme');
      expect(suspend).toEqual({
        code: 0,
        stdout: `tenant=acme\nenvironment=prod\nfrom=active\nto=suspended\nreason=inactive for 121 days (limit 90)\nregistry=${file}\n`,
        stderr: `inopsio-env: tenant acme of prod: active -> suspended (inactive for 121 days (limit 90)); ${file} updated\n`,
      });
      expect(stateOf(file)).toBe('suspended');
      expect(run('tenant-resume', '--registry', file, '--inventory', inventoryFile, '--at', '2026-12-01T09:00:00Z', 'acme').code).toBe(0);
      expect(stateOf(file)).toBe('active');
      run('tenant-suspend', '--registry', file, '--inventory', inventoryFile, '--at', '2026-12-02T09:00:00Z', '--last-activity', '2026-08-01T00:00:00Z', 'acme');
      const archive = run('tenant-archive', '--registry', file, '--inventory', inventoryFile, '--at', '2026-12-02T10:00:00Z',
        '--manifest', 'tenant-backups/prod/acme/manifests/acme-20261202T093000Z.manifest', '--taken-at', '2026-12-02T09:30:00Z', '--sha256', sha, '--verified', 'acme');
      expect(archive.code).toBe(0);
      expect(archive.stdout).toContain('from=suspended\nto=archived\nreason=final backup tenant-backups/prod/acme/manifests/acme-20261202T093000Z.manifest');
      expect(stateOf(file)).toBe('archived');
    });

    test('refused transitions exit 3 (refused, like a blocked plan), say the way through and leave the registry alone', () => {
      const file = reg('refused');
      const before = fs.readFileSync(file, 'utf8');
      const early = run('tenant-suspend', '--registry', file, '--inventory', inventoryFile, '--at', '2026-11-30T09:00:00Z', '--last-activity', '2026-11-01T00:00:00Z', 'acme');
      expect(early.code).toBe(3);
      expect(early.stderr).toBe('inopsio-env: tenant-suspend: 1 problem:\n  - TenantTransition[prod/acme]: lastActivityAt is only 29 days ago; class production suspends after 90 days of inactivity (got "2026-11-01T00:00:00Z"); wait until 2027-01-30T00:00:00Z\n');
      const archiveActive = run('tenant-archive', '--registry', file, '--inventory', inventoryFile, '--at', '2026-12-02T10:00:00Z',
        '--manifest', 'tenant-backups/prod/acme/manifests/acme-20261202T093000Z.manifest', '--taken-at', '2026-12-02T09:30:00Z', '--sha256', sha, '--verified', 'acme');
      expect(archiveActive.code).toBe(3);
      expect(archiveActive.stderr).toMatch(/toState cannot follow active \(got "archived"\); suspend the tenant first/);
      const unverified = run('tenant-archive', '--registry', reg('unverified', 'suspended'), '--inventory', inventoryFile, '--at', '2026-12-02T10:00:00Z',
        '--manifest', 'tenant-backups/prod/acme/manifests/acme-20261202T093000Z.manifest', '--taken-at', '2026-11-20T09:30:00Z', '--sha256', sha, 'acme');
      expect(unverified.code).toBe(3);
      expect(unverified.stderr).toMatch(/finalBackup.verified is not true/);
      expect(unverified.stderr).toMatch(/finalBackup.takenAt is 288 hours old; a final backup must be newer than/);
      expect(run('tenant-resume', '--registry', file, '--inventory', inventoryFile, '--at', '2026-12-01T09:00:00Z', 'umbrella').stderr).toMatch(/tenantId is not registered \(got "umbrella"\); use one of acme/);
      expect(run('tenant-suspend', '--registry', file, '--inventory', inventoryFile, '--at', '2026-12-01T09:00:00Z', 'acme').stderr).toMatch(/--last-activity is required/);
      expect(fs.readFileSync(file, 'utf8')).toBe(before);
    });
  });
});

describe('bin.ts (spawned, as npm runs the inopsio-env executable)', () => {
  const spawn = (...args: string[]) => spawnSync(process.execPath, ['-r', 'ts-node/register', path.join(ROOT, 'src', 'lifecycle', 'bin.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
  });

  test('passes argv through, writes to stdout and exits with main()\'s code: 0 on success, 2 on bad input', () => {
    const ok = spawn('expired', '--inventory', inventoryFile, '--at', '2026-12-01T00:00:00Z', '--lifecycle', 'ephemeral');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(`${previewName}\t2026-11-30T09:00:00Z\tephemeral\tinopsio/inopsio-${previewName}\n`);
    const bad = spawn('expired', '--inventory', inventoryFile, '--at', 'yesterday');
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/--at is not an ISO-8601 UTC instant/);
  });
});

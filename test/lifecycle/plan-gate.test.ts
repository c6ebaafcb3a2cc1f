import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { referenceEnvironments } from './fixtures';
import { planGateScript } from '../../src/lifecycle/plan-gate';
import { renderWorkflows, WORKFLOW_FILES } from '../../src/lifecycle/workflows';
import { TENANT_DATA_RESOURCE_TYPES } from '../../src/model/tenant-protection';

const FIXTURES = path.join(__dirname, 'fixtures', 'plans');
const tmp = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'plan-gate-'));

/** Run the generated gate on recorded plans (`terraform show -json` output), as the workflow step does. */
function gate(...fixtures: string[]): { status: number | null; stdout: string; stderr: string } {
  const dir = fs.mkdtempSync(path.join(tmp, 'plans-'));
  for (const f of fixtures) fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
  const r = spawnSync('bash', ['-c', planGateScript()], { env: { PATH: process.env.PATH, HOME: tmp, PLAN_DIR: dir }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('plan gate of permanent environments (issue 21 item 3)', () => {
  test('allows an upgrade: updates in place, a module release removed, a grant replaced', () => {
    const r = gate('allowed-upgrade.json', 'allowed-module-removed.json');
    expect(r).toEqual({
      status: 0,
      stderr: '',
      stdout: 'plan gate: the plan of stack allowed-module-removed deletes or replaces no tenant data\nplan gate: the plan of stack allowed-upgrade deletes or replaces no tenant data\n',
    });
  });

  test('refuses a plan that drops a tenant: its base release (namespace, volumes), database and roles', () => {
    const r = gate('refused-tenant-dropped.json');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe([
      '::error::the plan of stack refused-tenant-dropped deletes or replaces tenant data; only the decommission workflow removes a tenant (docs/lifecycle.md):',
      '  delete helm_release.Tenant-globex_Base_786E37AA',
      '  delete postgresql_database.Vault_Tenant-globex_PostgreSQL_Database_B1599E4C',
      '  delete postgresql_role.Vault_Tenant-globex_PostgreSQL_Owner_70045735',
      '',
    ].join('\n'));
  });

  test('refuses a replacement, delete-then-create and create-then-delete', () => {
    const replaced = gate('refused-database-replaced.json');
    expect(replaced.status).toBe(1);
    expect(replaced.stderr).toContain('  delete+create postgresql_database.Vault_Tenant-acme_PostgreSQL_Database_79699E71\n');
    const beforeDestroy = gate('refused-mount-replaced.json');
    expect(beforeDestroy.status).toBe(1);
    expect(beforeDestroy.stderr).toContain('  create+delete vault_mount.Vault_Kv_3C117F73\n');
  });

  test('one refused stack fails the gate even when the others pass; every stack is reported', () => {
    const r = gate('allowed-upgrade.json', 'refused-mount-replaced.json');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('the plan of stack allowed-upgrade deletes or replaces no tenant data');
    expect(r.stderr).toContain('the plan of stack refused-mount-replaced deletes or replaces tenant data');
  });

  test('fails closed: no plan, or a plan that is not JSON', () => {
    expect(gate().status).not.toBe(0);
    expect(gate().stderr).toContain('::error::no plan in');
    const dir = fs.mkdtempSync(path.join(tmp, 'broken-'));
    fs.writeFileSync(path.join(dir, 'prod.json'), 'Error: Failed to read the given file as a state or plan file');
    const r = spawnSync('bash', ['-c', planGateScript()], { env: { PATH: process.env.PATH, HOME: tmp, PLAN_DIR: dir }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.status).not.toBe(0);
  });

  test('the protected types are the tenant data the stacks mark prevent_destroy', () => {
    expect([...TENANT_DATA_RESOURCE_TYPES]).toEqual(['helm_release', 'postgresql_database', 'postgresql_role', 'postgresql_schema', 'vault_mount']);
  });

  const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
  (shellcheck ? test : test.skip)('the gate script passes shellcheck', () => {
    const r = spawnSync('shellcheck', ['--shell=bash', '-'], { input: planGateScript(), encoding: 'utf8' });
    expect(r.stdout).toBe('');
  });
});

describe('tenant-upgrade.yml of a permanent environment: plan, gate, approval, apply of the saved plan', () => {
  const doc: any = YAML.parse(renderWorkflows(referenceEnvironments())[WORKFLOW_FILES.TENANT_UPGRADE]);
  const plan = doc.jobs['plan-prod'];
  const apply = doc.jobs['upgrade-prod'];
  const names = (job: any): string[] => job.steps.map((s: any) => s.name);

  test('the plan job saves and shows the plan, gates it, then keeps the saved plans as an artifact', () => {
    const steps = names(plan);
    const planned = steps.indexOf('Terraform plan of every stack, saved and shown (log, job summary, report artifact)');
    const gated = steps.indexOf('Plan gate: refuse a plan that deletes or replaces tenant data (only decommission.yml removes a tenant)');
    const kept = steps.indexOf('Keep the saved plans the approvers see for the apply job');
    expect(planned).toBeGreaterThan(0);
    expect(gated).toBeGreaterThan(planned);
    expect(kept).toBeGreaterThan(gated);
    const script = plan.steps[planned].run;
    expect(script).toContain('plan -input=false -no-color -lock-timeout=20m -out="$saved"');
    expect(script).toContain('show -json "$saved" > "$PLAN_DIR/$stack.json"');
    expect(script).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(script).not.toMatch(/\bapply\b/);
    expect(plan.steps[gated].run).toBe(planGateScript());
    expect(plan.steps[kept].with.path).toBe('plans/*.tfplan');
    expect(plan.env).toMatchObject({ PLAN_DIR: 'plans', STACKS: 'prod', STACKS_DIRECTORY: 'cdktf.out/stacks' });
  });

  test('the apply job is approved after the plan (needs it; the prod environment), gates the downloaded plan again and applies only it', () => {
    expect(apply.needs).toEqual(['plan-prod']);
    expect(apply.environment).toBe('prod');
    const steps = names(apply);
    const downloaded = steps.indexOf('Download the approved plans');
    const gated = steps.indexOf('Plan gate: refuse a plan that deletes or replaces tenant data (only decommission.yml removes a tenant)');
    const applied = apply.steps.findIndex((s: any) => /\bapply\b/.test(s.run ?? ''));
    expect(downloaded).toBeGreaterThan(0);
    expect(gated).toBeGreaterThan(downloaded);
    expect(applied).toBeGreaterThan(gated);
    expect(apply.steps[downloaded].with.name).toBe(plan.steps.find((s: any) => s.name === 'Keep the saved plans the approvers see for the apply job').with.name);
    expect(apply.steps[applied].run).toContain('apply -input=false -no-color -lock-timeout=20m "$GITHUB_WORKSPACE/$PLAN_DIR/$stack.tfplan"');
    expect(apply.steps.map((s: any) => s.run ?? '').join('\n')).not.toMatch(/terraform [^\n]*\bplan\b -/);
  });

  test('non-permanent environments keep one job (no gate): the gate is for permanent classes', () => {
    expect(names(doc.jobs['upgrade-staging'])).not.toContain('Plan gate: refuse a plan that deletes or replaces tenant data (only decommission.yml removes a tenant)');
  });
});

describe('the plan gate of a production tenant\'s decommission (ALLOWED_TENANT)', () => {
  const run = (env: { [k: string]: string }, ...fixtures: string[]) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'decommission-'));
    for (const f of fixtures) fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, f));
    return spawnSync('bash', ['-c', planGateScript()], { env: { PATH: process.env.PATH, HOME: tmp, PLAN_DIR: dir, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  };

  test('lets the decommissioned tenant\'s resources go, and only those', () => {
    const globex = run({ ALLOWED_TENANT: 'globex' }, 'refused-tenant-dropped.json');
    expect(globex.status).toBe(0);
    expect(globex.stdout).toBe('plan gate: the plan of stack refused-tenant-dropped deletes or replaces no tenant data of tenants other than globex\n');
    // Another tenant named: globex's data is still protected.
    const acme = run({ ALLOWED_TENANT: 'acme' }, 'refused-tenant-dropped.json');
    expect(acme.status).toBe(1);
    expect(acme.stderr).toContain('  delete postgresql_database.Vault_Tenant-globex_PostgreSQL_Database_B1599E4C\n');
    // A prefix of the id is not the tenant: "glob" does not free globex ("Tenant-glob_" is not in the address).
    expect(run({ ALLOWED_TENANT: 'glob' }, 'refused-tenant-dropped.json').status).toBe(1);
    // An environment-wide mount is no tenant's: decommissioning acme cannot replace it.
    expect(run({ ALLOWED_TENANT: 'acme' }, 'refused-mount-replaced.json').status).toBe(1);
  });

  test('no plan: passes only when plans are optional (the decommission of anything but a production tenant)', () => {
    expect(run({ PLANS_OPTIONAL: 'true' }).status).toBe(0);
    expect(run({}).status).toBe(1);
  });
});

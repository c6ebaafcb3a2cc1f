import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { referenceEnvironments } from './fixtures';
import {
  decommissionTargets, DecommissionStepId as Step, DecommissionTargetKind, planDecommission, renderDecommissionPlan,
  renderDecommissionScript, shellQuote,
} from '../../src/lifecycle/decommission';
import { buildInventory } from '../../src/lifecycle/inventory';

const inventory = buildInventory(referenceEnvironments());
/** The same platform with every staging and production tenant archived: whole-environment plans need that. */
const retired = buildInventory(referenceEnvironments(['staging', 'prod']));
const previewName = inventory.environments.find(e => e.lifecycle === 'ephemeral')!.name;

/** Run a generated script with fake kubectl/helm/vault/terraform/npx that log their arguments, one call per line. */
interface Run {
  readonly status: number | null;
  readonly calls: string[];
  readonly stderr: string;
}

function runWithFakeTools(script: string, env: { [key: string]: string } = {}, failOn?: string): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'decommission-'));
  const log = path.join(dir, 'calls.log');
  for (const tool of ['kubectl', 'helm', 'vault', 'terraform', 'npx']) {
    const fail = failOn ? `if [[ "${tool} $*" == ${JSON.stringify(failOn)}* ]]; then exit 1; fi\n` : '';
    fs.writeFileSync(path.join(dir, tool), `#!/usr/bin/env bash\necho "${tool} $*" >> "${log}"\n${fail}`, { mode: 0o755 });
  }
  fs.writeFileSync(path.join(dir, 'plan.sh'), script);
  const result = spawnSync('bash', [path.join(dir, 'plan.sh')], {
    env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
  return { status: result.status, calls, stderr: result.stderr };
}

describe('planDecommission', () => {
  test('production: the text plan with approvals and exact commands', () => {
    expect(renderDecommissionPlan(planDecommission(retired, 'prod'))).toMatchSnapshot();
  });

  test('V13 order: final backup → verify → revoke leases → disable roles → destroy', () => {
    const plan = planDecommission(retired, 'prod');
    expect(plan.steps.map(s => s.id))
      .toEqual([Step.FINAL_BACKUP, Step.VERIFY_BACKUP, Step.REVOKE_LEASES, Step.DISABLE_ROLES, Step.DESTROY, Step.REMOVE_OBJECTS]);
    expect(plan).toMatchObject({ target: 'prod', approvalsRequired: 2, approvalEnvironments: ['decommission-approval-1', 'decommission-approval-2'], blockers: [] });
    const step = (id: Step) => plan.steps.find(s => s.id === id)!.commands;
    expect(step(Step.FINAL_BACKUP)).toEqual([
      'kubectl --context prod --namespace prod-acme create job decommission-final-backup --from=cronjob/backup-acme',
      'kubectl --context prod --namespace prod-acme wait --for=condition=complete job/decommission-final-backup --timeout=2h',
      'kubectl --context prod --namespace prod-globex create job decommission-final-backup --from=cronjob/backup-globex',
      'kubectl --context prod --namespace prod-globex wait --for=condition=complete job/decommission-final-backup --timeout=2h',
      'kubectl --context prod --namespace prod-initech create job decommission-final-backup --from=cronjob/backup-initech',
      'kubectl --context prod --namespace prod-initech wait --for=condition=complete job/decommission-final-backup --timeout=2h',
    ]);
    expect(step(Step.VERIFY_BACKUP)[0]).toBe('kubectl --context prod --namespace prod-acme create job decommission-restore-drill --from=cronjob/backup-acme-restore-drill');
    expect(step(Step.REVOKE_LEASES)).toEqual([
      ...['acme', 'globex', 'initech'].flatMap(t => ['db', 'backup', 'drill'].map(r => `vault lease revoke -sync -prefix database-prod/creds/${t}-${r}`)),
      'vault lease revoke -sync -prefix auth/kubernetes-prod/login',
    ]);
    expect(step(Step.DISABLE_ROLES)).toEqual([
      ...['acme', 'globex', 'initech'].flatMap(t => ['db', 'backup', 'drill'].map(r => `vault delete database-prod/roles/${t}-${r}`)),
      ...['acme', 'globex', 'initech'].flatMap(t => [`vault delete auth/kubernetes-prod/role/${t}`, `vault delete auth/kubernetes-prod/role/prod-${t}-backup`]),
    ]);
    expect(step(Step.DESTROY)).toEqual([
      'test "${INOPSIO_CONFIRM:-}" = prod || { printf \'refusing to destroy: export INOPSIO_CONFIRM=%s to confirm\\n\' prod >&2; exit 3; }',
      // prevent_destroy is lifted by an override file only here, after both approvals (issue 21 item 3).
      'npx inopsio-env unprotect --stack cdktf.out/stacks/prod',
      'terraform -chdir=cdktf.out/stacks/prod init -input=false -no-color',
      'terraform -chdir=cdktf.out/stacks/prod destroy -auto-approve -input=false -no-color -lock-timeout=20m',
    ]);
  });

  test('removing an archived Argo CD tenant: cascade-delete its Applications, uninstall the base release, delete the namespace, forget it', () => {
    const plan = planDecommission(inventory, 'prod', 'initech');
    expect(plan).toMatchObject({ target: 'prod/initech', tenant: 'initech', approvalsRequired: 2, blockers: [] });
    expect(plan.steps.map(s => s.id))
      .toEqual([Step.FINAL_BACKUP, Step.VERIFY_BACKUP, Step.REVOKE_LEASES, Step.DISABLE_ROLES, Step.DESTROY, Step.REMOVE_OBJECTS, Step.FORGET]);
    expect(plan.steps.find(s => s.id === Step.REVOKE_LEASES)!.commands).toEqual(['db', 'backup', 'drill'].map(r => `vault lease revoke -sync -prefix database-prod/creds/initech-${r}`));
    expect(plan.steps.find(s => s.id === Step.DESTROY)!.commands.slice(1)).toEqual([
      'helm uninstall initech-base --kube-context prod --namespace prod-initech --ignore-not-found --wait --timeout 15m',
      'kubectl --context prod delete namespace prod-initech --ignore-not-found --wait=true --timeout=15m',
      // Production protects tenant data: the tenant leaves the configuration and a gated plan removes its resources.
      'npx inopsio-env tenant-remove --registry tenants/prod.json initech',
      'npx cdktf synth',
      'terraform -chdir=cdktf.out/stacks/prod init -input=false -no-color',
      'terraform -chdir=cdktf.out/stacks/prod plan -input=false -no-color -lock-timeout=20m -out=tenant-removal.tfplan',
      'terraform -chdir=cdktf.out/stacks/prod show -json tenant-removal.tfplan',
      'terraform -chdir=cdktf.out/stacks/prod apply -input=false -no-color -lock-timeout=20m tenant-removal.tfplan',
    ]);
    expect(plan.targets.tenantStacks).toEqual(['cdktf.out/stacks/prod']);
    expect(decommissionTargets(plan, DecommissionTargetKind.TENANT_STACKS)).toBe('cdktf.out/stacks/prod\n');
    expect(plan.steps.find(s => s.id === Step.FORGET)!.commands).toEqual(['npx inopsio-env tenant-remove --registry tenants/prod.json initech']);
  });

  test('removing an archived Helm tenant in dev: uninstall module releases first, then the base release; one approval', () => {
    const plan = planDecommission(inventory, 'dev', 'globex');
    expect(plan.approvalsRequired).toBe(1);
    expect(plan.steps.find(s => s.id === Step.FINAL_BACKUP)!.skipped).toBe('class development keeps no backups (BackupPolicy.NONE)');
    expect(plan.steps.find(s => s.id === Step.DESTROY)!.commands.slice(1)).toEqual([
      'helm uninstall globex-billing --kube-context dev --namespace dev-globex --ignore-not-found --wait --timeout 15m',
      'helm uninstall globex-base --kube-context dev --namespace dev-globex --ignore-not-found --wait --timeout 15m',
      'kubectl --context dev delete namespace dev-globex --ignore-not-found --wait=true --timeout=15m',
    ]);
    expect(plan.targets.argoCdApplications).toEqual([]);
    // Not a permanent class: no protection to lift, the next apply of the registry change removes its resources.
    expect(plan.targets.tenantStacks).toEqual([]);
  });

  test('an Argo CD tenant with modules deletes each Application with the cascading finalizer', () => {
    const withModules = JSON.parse(JSON.stringify(inventory));
    withModules.environments.find((e: any) => e.name === 'prod').tenants[0].state = 'archived';
    const plan = planDecommission(withModules, 'prod', 'acme');
    expect(plan.steps.find(s => s.id === Step.DESTROY)!.commands[1])
      .toBe('kubectl --context prod --namespace argocd delete application prod-acme-billing --ignore-not-found --wait=true --timeout=15m');
  });

  test('a preview: no approvals, no backups to take, leases revoked, workspace destroyed', () => {
    const plan = planDecommission(inventory, previewName);
    expect(plan.approvalsRequired).toBe(0);
    expect(renderDecommissionPlan(plan)).toMatch(/Approvals required: none \(destroyed automatically when it expires\)/);
    expect(plan.targets.backupJobs).toEqual([]);
    // The auth mount is shared by every preview: only the preview's own database leases are revoked by prefix.
    expect(plan.targets.leasePrefixes).toEqual([`database-preview/creds/${previewName}-acme-db`]);
    expect(plan.targets.vaultRoles).toEqual([`database-preview/roles/${previewName}-acme-db`, `auth/kubernetes-preview/role/${previewName}-acme`]);
    expect(plan.targets.stacks).toEqual([`cdktf.out/stacks/${previewName}`]);
  });

  test('an active tenant is blocked: it must be suspended and archived first', () => {
    const plan = planDecommission(inventory, 'prod', 'acme');
    expect(plan.blockers).toEqual(['tenant "acme" is active: suspend and archive it first (spec §9; archiving records the final backup): set its state to archived (state "archived" in the tenant registry, or TenantState.ARCHIVED in main.ts) and apply, then decommission']);
    expect(renderDecommissionPlan(plan)).toMatch(/^BLOCKED: tenant "acme" is active/m);
    expect(() => renderDecommissionScript(plan)).toThrow(/prod\/acme: tenant "acme" is active/);
    expect(() => decommissionTargets(plan, DecommissionTargetKind.HELM_RELEASES)).toThrow(/is active/);
  });

  test('a whole environment that keeps backups is refused while any tenant is not archived (issue 17 item 4)', () => {
    const plan = planDecommission(inventory, 'prod');
    expect(plan.blockers).toEqual([
      'environment "prod" still has tenants that are not archived (acme: active, globex: active): suspend and archive each (inopsio-env tenant-suspend, tenant-archive, or state "archived" in the tenant registry), or move it to another environment, then decommission',
    ]);
    expect(() => renderDecommissionScript(plan)).toThrow(/prod: environment "prod" still has tenants that are not archived/);
    expect(() => decommissionTargets(plan, DecommissionTargetKind.STACKS)).toThrow(/not archived/);
    expect(planDecommission(inventory, 'staging').blockers).toHaveLength(1);
    // Environments without backups take their tenants with them (development, previews).
    expect(planDecommission(inventory, 'dev').blockers).toEqual([]);
    expect(planDecommission(inventory, previewName).blockers).toEqual([]);
  });

  test('unknown environments and tenants fail with the known names', () => {
    expect(() => planDecommission(inventory, 'qa')).toThrow(/environment is not in the inventory \(got "qa"\); use one of dev, preview-.*, prod, staging/);
    expect(() => planDecommission(inventory, 'prod', 'umbrella')).toThrow(/tenant is not in environment "prod" \(got "umbrella"\); use one of acme, globex, initech/);
  });

  test('targets are tab-separated lines for shell loops', () => {
    const plan = planDecommission(inventory, 'prod', 'initech');
    expect(decommissionTargets(plan, DecommissionTargetKind.BACKUP_JOBS)).toBe('prod\tprod-initech\tbackup-initech\n');
    expect(decommissionTargets(plan, DecommissionTargetKind.HELM_RELEASES)).toBe('prod\tprod-initech\tinitech-base\n');
    expect(decommissionTargets(plan, DecommissionTargetKind.NAMESPACES)).toBe('prod\tprod-initech\n');
    expect(decommissionTargets(plan, DecommissionTargetKind.STACKS)).toBe('');
  });

  test('shellQuote leaves plain words alone and quotes everything else safely', () => {
    expect(shellQuote('database-prod/creds/acme-db')).toBe('database-prod/creds/acme-db');
    expect(shellQuote("it's; rm -rf /")).toBe("'it'\\''s; rm -rf /'");
  });
});

describe('renderDecommissionScript (run against fake kubectl, helm, vault and terraform)', () => {
  test('runs every command in V13 order once confirmed', () => {
    const script = renderDecommissionScript(planDecommission(retired, 'prod'));
    const { status, calls } = runWithFakeTools(script, { INOPSIO_CONFIRM: 'prod' });
    expect(status).toBe(0);
    const first = (prefix: string) => calls.findIndex(c => c.startsWith(prefix));
    const last = (prefix: string) => calls.length - 1 - [...calls].reverse().findIndex(c => c.startsWith(prefix));
    expect(calls).toHaveLength(6 + 6 + 10 + 15 + 3);
    expect(last('kubectl --context prod --namespace prod-initech wait --for=condition=complete job/decommission-final-backup')).toBeLessThan(first('kubectl --context prod --namespace prod-acme create job decommission-restore-drill'));
    expect(last('kubectl')).toBeLessThan(first('vault lease revoke'));
    expect(last('vault lease revoke')).toBeLessThan(first('vault delete'));
    expect(last('vault delete')).toBeLessThan(first('npx inopsio-env unprotect'));
    expect(calls.slice(-3)).toEqual([
      'npx inopsio-env unprotect --stack cdktf.out/stacks/prod',
      'terraform -chdir=cdktf.out/stacks/prod init -input=false -no-color',
      'terraform -chdir=cdktf.out/stacks/prod destroy -auto-approve -input=false -no-color -lock-timeout=20m',
    ]);
  });

  test('does nothing at all without the typed confirmation, or with the wrong one', () => {
    const script = renderDecommissionScript(planDecommission(inventory, 'prod', 'initech'));
    const attempts: Array<{ [key: string]: string }> = [{}, { INOPSIO_CONFIRM: 'prod' }, { INOPSIO_CONFIRM: 'prod/acme' }];
    for (const env of attempts) {
      const { status, calls, stderr } = runWithFakeTools(script, env);
      expect(status).toBe(3);
      expect(calls).toEqual([]);
      expect(stderr).toBe('refusing to destroy: export INOPSIO_CONFIRM=prod/initech to confirm\n');
    }
    expect(runWithFakeTools(script, { INOPSIO_CONFIRM: 'prod/initech' }).status).toBe(0);
  });

  test('stops at the first failing command: a failed final backup destroys nothing', () => {
    const script = renderDecommissionScript(planDecommission(retired, 'prod'));
    const { status, calls } = runWithFakeTools(script, { INOPSIO_CONFIRM: 'prod' }, 'kubectl --context prod --namespace prod-globex wait');
    expect(status).toBe(1);
    expect(calls[calls.length - 1]).toMatch(/^kubectl --context prod --namespace prod-globex wait/);
    expect(calls.some(c => c.startsWith('vault') || c.startsWith('terraform'))).toBe(false);
  });

  test('a subset of steps can be rendered (one job per step in the workflows)', () => {
    const script = renderDecommissionScript(planDecommission(retired, 'prod'), [Step.REVOKE_LEASES]);
    const { calls } = runWithFakeTools(script, { INOPSIO_CONFIRM: 'prod' });
    expect(calls.every(c => c.startsWith('vault lease revoke -sync -prefix'))).toBe(true);
    expect(calls).toHaveLength(10);
  });
});

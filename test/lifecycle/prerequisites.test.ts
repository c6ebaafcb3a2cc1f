/**
 * Issue 24 item 5: everything the output assumes exists is listed per environment in lifecycle.json (read from the
 * output by the declarations the wiring rules read) and printed by `inopsio-env prerequisites <env>`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EXIT } from '../../src/lifecycle/cli';
import { readInventory, validateInventory } from '../../src/lifecycle/inventory';
import { collectPrerequisites, ManifestPrerequisites, StackPrerequisites } from '../../src/lifecycle/prerequisites';
import { PREREQUISITES_ANNOTATION } from '../../src/model/wiring-annotations';
import { OutputLayout } from '../../src/output/layout';
import { synthesizedStacks } from '../../src/output/tree';
import { DeferredJson } from '../../src/tf/stable-json';
import { runCli } from '../support/cli';
import { synthesizeReferencePlatform } from '../support/reference-platform';

const cli = runCli;

describe('prerequisites of the reference platform (examples/main.ts)', () => {
  let dir: string;
  let inventoryFile: string;
  beforeAll(() => {
    dir = synthesizeReferencePlatform('prerequisites-');
    inventoryFile = path.join(dir, 'dist', 'lifecycle.json');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('lifecycle.json lists them per environment and is valid against the strict schema', () => {
    const inventory = readInventory(inventoryFile);
    expect(validateInventory(inventory)).toEqual([]);
    const prod = inventory.environments.find(e => e.name === 'prod')!.prerequisites!;
    const line = (kind: string, name: string, scope: string) => prod.find(p => p.kind === kind && p.name === name && p.scope === scope);
    // The CA ConfigMap the backup pods declare (W06 accepts exactly these declarations), in every tenant namespace.
    expect(line('configmap', 'postgres-ca', 'namespace prod-acme')?.neededBy).toEqual(['CronJob/prod-acme/backup-acme', 'CronJob/prod-acme/backup-acme-restore-drill']);
    // Terraform variables without a default, for the workspace's variable set; the bootstrap users' passwords.
    for (const v of ['vault_address', 'vault_kubernetes_ca_cert', 'database_bootstrap_passwords']) {
      expect(line('terraform-variable', v, 'workspace inopsio/inopsio-prod')).toBeDefined();
    }
    // GitHub environment secrets and the CI's Vault login.
    expect(line('github-secret', 'TF_API_TOKEN', 'GitHub environment prod-plan')?.neededBy).toEqual(['tenant-upgrade.yml#jobs.plan-prod']);
    expect(line('github-secret', 'KUBECONFIG', 'GitHub environment decommission')).toBeDefined();
    expect(prod.filter(p => p.kind === 'vault-jwt-role').map(p => p.name)).toEqual(['ci-prod-decommission', 'ci-prod-apply', 'ci-prod-plan']);
  });

  test('the KV keys to seed and the object-store bucket are listed; the keys a stack writes are not', () => {
    const prod = readInventory(inventoryFile).environments.find(e => e.name === 'prod')!.prerequisites!;
    const kv = prod.filter(p => p.kind === 'vault-kv-secret');
    // The backup stores' keys, read by the backup pods' agent templates: a person seeds them.
    expect(kv.find(p => p.name === 'kv-prod/data/prod/acme/backup/primary-store')).toMatchObject({
      scope: 'Vault of prod (KV v2 mount kv-prod)', neededBy: expect.arrayContaining(['CronJob/prod-acme/backup-acme']),
    });
    // The tenants' object-store keys are written by the stack (vault_kv_secret_v2), so they are no prerequisite.
    expect(kv.filter(p => p.name.endsWith('/object-store'))).toEqual([]);
    expect(kv.length).toBeGreaterThan(0);
    expect(prod.filter(p => p.kind === 'object-store-bucket').map(p => p.name)).toEqual(['inopsio-tenant-data']);
  });

  test('every declaration of a generated pod is listed: the list is derived from them, so none can be missed', () => {
    const layout = OutputLayout.of(path.join(dir, 'dist'), path.join(dir, 'cdktf.out'));
    const inventory = readInventory(inventoryFile);
    let declared = 0;
    for (const env of fs.readdirSync(layout.manifestsDirectory)) {
      for (const f of fs.readdirSync(layout.manifestsOf(env))) {
        const text = fs.readFileSync(path.join(layout.manifestsOf(env), f), 'utf8');
        declared += text.split(`${PREREQUISITES_ANNOTATION}: `).length - 1;
      }
    }
    expect(declared).toBeGreaterThan(0);
    const listed = inventory.environments.flatMap(e => e.prerequisites ?? []).filter(p => p.kind === 'configmap' || p.kind === 'secret')
      .reduce((n, p) => n + p.neededBy.length, 0);
    expect(listed).toBe(declared);
  });

  test('a new declaration on a generated pod shows up in the list (negative control)', () => {
    const layout = OutputLayout.of(path.join(dir, 'dist'), path.join(dir, 'cdktf.out'));
    const file = path.join(layout.manifestsOf('prod'), fs.readdirSync(layout.manifestsOf('prod')).find(f => f.includes('acme'))!);
    const before = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(file, before.replace(`${PREREQUISITES_ANNOTATION}: configmap/postgres-ca`, `${PREREQUISITES_ANNOTATION}: configmap/postgres-ca,secret/registry-pull`));
      const envs = readInventory(inventoryFile).environments.map(e => e.name);
      // collectPrerequisites reads an environment's name and lifecycle only (which workflows act on it).
      const listed = collectPrerequisites(envs.map(name => ({ name, environmentClass: { lifecycle: name.startsWith('preview-') ? 'ephemeral' : 'persistent' } }) as any), { layout });
      expect(listed.prod.find(p => p.kind === 'secret' && p.name === 'registry-pull')).toMatchObject({ scope: 'namespace prod-acme' });
    } finally {
      fs.writeFileSync(file, before);
    }
  });

  test('the Platform collects the manifests\' share from the documents it writes: the same list as parsing every file back', () => {
    const layout = OutputLayout.of(path.join(dir, 'dist'), path.join(dir, 'cdktf.out'));
    const inventory = readInventory(inventoryFile);
    const envs = inventory.environments.map(e => ({ name: e.name, environmentClass: { lifecycle: e.name.startsWith('preview-') ? 'ephemeral' : 'persistent' } }) as any);
    const parsed = collectPrerequisites(envs, { layout });
    for (const e of inventory.environments) expect(e.prerequisites).toEqual(parsed[e.name]);
  });

  test('a manifest file whose documents were fed is not read again; one that was not is parsed', () => {
    const layout = OutputLayout.of(path.join(dir, 'dist'), path.join(dir, 'cdktf.out'));
    const envs = readInventory(inventoryFile).environments.map(e => ({ name: e.name, environmentClass: { lifecycle: 'persistent' } }) as any);
    const files = fs.readdirSync(layout.manifestsOf('prod')).filter(f => f.includes('acme')).map(f => path.join(layout.manifestsOf('prod'), f));
    const fed = new ManifestPrerequisites();
    // Fed with a declaration the file does not hold: the list shows the fed documents, so the file was not parsed.
    fed.add('prod', files[0], [{ kind: 'CronJob', metadata: { name: 'fed', namespace: 'prod-acme' }, spec: { jobTemplate: { spec: { template: { metadata: { annotations: { [PREREQUISITES_ANNOTATION]: 'secret/only-fed' } } } } } } }]);
    const listed = collectPrerequisites(envs, { layout, manifests: fed });
    expect(listed.prod.find(p => p.name === 'only-fed')?.neededBy).toEqual(['CronJob/prod-acme/fed']);
    expect(listed.prod.find(p => p.name === 'postgres-ca' && p.scope === 'namespace prod-acme')).toBeUndefined();
    // The other tenants' files were not fed: parsed, so their declarations are listed.
    expect(listed.prod.find(p => p.name === 'postgres-ca' && p.scope === 'namespace prod-globex')).toBeDefined();
  });

  test('a stack whose JSON was handed over as written is not read again (blocks held as text parsed); one that was not is parsed', () => {
    const layout = OutputLayout.of(path.join(dir, 'dist'), path.join(dir, 'cdktf.out'));
    const envs = readInventory(inventoryFile).environments.map(e => ({ name: e.name, environmentClass: { lifecycle: 'persistent' } }) as any);
    const prodStack = synthesizedStacks(layout).find(s => s.stack === 'prod')!;
    const stacks = new StackPrerequisites();
    // Handed a variable the file does not hold, one block as the writer holds released tenants' (text, `toJSON()`).
    const [onlyFed] = DeferredJson.all([{ type: 'string' }]);
    stacks.add('prod', prodStack.file, { variable: { only_fed: onlyFed }, data: { minio_s3_bucket: { b: DeferredJson.all([{ bucket: 'fed-bucket' }])[0] } } });
    const listed = collectPrerequisites(envs, { layout, stacks });
    const variables = listed.prod.filter(p => p.kind === 'terraform-variable' && p.neededBy.includes('stack prod'));
    expect(variables.map(p => p.name)).toEqual(['only_fed']);
    expect(listed.prod.filter(p => p.kind === 'object-store-bucket').map(p => [p.name, p.neededBy])).toEqual([['fed-bucket', ['stack prod']]]);
    // The other stacks were not handed over: parsed, so their variables are listed.
    expect(listed.staging.filter(p => p.kind === 'terraform-variable' && p.neededBy.includes('stack staging')).map(p => p.name)).toContain('vault_address');
  });

  test('inopsio-env prerequisites <env>: one line each; --json; --out finds the inventory', () => {
    const r = cli('prerequisites', '--inventory', inventoryFile, 'prod');
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout.split('\n')).toContain('configmap\tpostgres-ca\tnamespace prod-acme\tCronJob/prod-acme/backup-acme, CronJob/prod-acme/backup-acme-restore-drill');
    expect(r.stdout.split('\n')).toContain('github-secret\tTF_API_TOKEN\tGitHub environment prod-plan\ttenant-upgrade.yml#jobs.plan-prod');
    const json = cli('prerequisites', '--out', path.join(dir, 'dist'), '--json', 'prod');
    expect(JSON.parse(json.stdout)).toEqual(readInventory(inventoryFile).environments.find(e => e.name === 'prod')!.prerequisites);
  });

  test('an unknown environment, or an inventory without prerequisites, is a usage error (exit 2)', () => {
    const unknown = cli('prerequisites', '--inventory', inventoryFile, 'qa');
    expect(unknown.code).toBe(EXIT.USAGE);
    expect(unknown.stderr).toContain('prerequisites: environment is not in');
    const bare = JSON.parse(fs.readFileSync(inventoryFile, 'utf8'));
    for (const e of bare.environments) delete e.prerequisites;
    const bareFile = path.join(dir, 'bare-lifecycle.json');
    fs.writeFileSync(bareFile, JSON.stringify(bare));
    const r = cli('prerequisites', '--inventory', bareFile, 'prod');
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toContain('lists no prerequisites for prod');
  });
});

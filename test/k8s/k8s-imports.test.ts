/**
 * The typed Kubernetes bindings (src/k8s/imports/k8s.ts): never stale against the schema and the kind list of
 * projenrc/k8s-imports.ts, and the core kinds they cover are built with them, not with an untyped ApiObject.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GENERATED_FILE, generateK8sImports, KINDS, SCHEMA_FILE } from '../../projenrc/k8s-imports';

const ROOT = path.resolve(__dirname, '..', '..');

describe('src/k8s/imports/k8s.ts', () => {
  test('is what `npx projen k8s-imports` generates from the 1.28 schema (regenerate and commit when this fails)', async () => {
    const fresh = await generateK8sImports(path.join(ROOT, SCHEMA_FILE));
    const committed = fs.readFileSync(path.join(ROOT, GENERATED_FILE), 'utf8');
    expect(committed === fresh).toBe(true);
  });

  test('has a construct class for exactly the listed kinds', () => {
    const committed = fs.readFileSync(path.join(ROOT, GENERATED_FILE), 'utf8');
    const classes = [...committed.matchAll(/^export class (Kube\w+) extends ApiObject/gm)].map(m => m[1]).sort();
    expect(classes).toEqual(KINDS.map(k => `Kube${k.split('/').pop()}`).sort());
  });

  test('a kind the schema does not have is refused, naming it', async () => {
    await expect(generateK8sImports(path.join(ROOT, SCHEMA_FILE), ['v1/Namespace', 'apps/v1/Frobnicator']))
      .rejects.toThrow(/has no apps\/v1\/Frobnicator/);
  });

  test('an older schema without a listed kind is refused (CronJob is batch/v1beta1 only before 1.21)', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'k8s-imports-'));
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, SCHEMA_FILE), 'utf8'));
    delete schema.definitions['io.k8s.api.batch.v1.CronJob'];
    fs.writeFileSync(path.join(dir, '_definitions.json'), JSON.stringify(schema));
    await expect(generateK8sImports(path.join(dir, '_definitions.json'))).rejects.toThrow(/has no batch\/v1\/CronJob/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

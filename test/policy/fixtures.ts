/**
 * Fixtures of synthesized output for the policy tests. The JSON and YAML files in fixtures/ were synthesized from the
 * library's own constructs (see fixtures/README.md) and are checked in, so the rule tests do not depend on constructs
 * that are still changing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PolicyInput, PolicyPack, PolicyReport } from '../../src/policy';

const DIR = path.join(__dirname, 'fixtures');

/** Everything a policy input is made of, as mutable plain data. */
export interface OutputState {
  /** Kubernetes documents by environment and file. */
  k8s: Array<{ environment: string; file: string; documents: any[] }>;
  /** Terraform stacks by environment. */
  tf: { [environment: string]: any };
  /** Workflow files by name. */
  workflows: { [file: string]: string };
  /** Other text files. */
  texts: { [file: string]: string };
}

const cache = new Map<string, string>();

/** A fresh copy of a fixture file (read once per test file). */
function readJson(file: string): any {
  if (!cache.has(file)) cache.set(file, fs.readFileSync(path.join(DIR, file), 'utf8'));
  return JSON.parse(cache.get(file)!);
}

/** Charts of a full environment: tenant charts with backups and a migration hook, observability, Argo CD. */
export function k8sFixture(name: 'prod-full' | 'staging-full'): Array<{ environment: string; file: string; documents: any[] }> {
  const fx = readJson(`${name}.json`);
  return fx.charts.map((c: any) => ({ environment: fx.environment, file: `k8s/${fx.environment}/${c.file}`, documents: c.documents }));
}

/** The reference platform's Terraform stack of an environment. */
export function stackFixture(env: 'prod' | 'staging' | 'github-environments'): any {
  return readJson(path.join('stacks', `${env}.cdk.tf.json`));
}

/** The generated CI workflows. */
export function workflowFixtures(): { [file: string]: string } {
  const dir = path.join(DIR, 'workflows');
  return Object.fromEntries(fs.readdirSync(dir).sort().map(f => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** A complete, compliant output: production manifests, prod and staging stacks, workflows. */
export function baseState(): OutputState {
  return {
    k8s: k8sFixture('prod-full'),
    tf: { 'prod': stackFixture('prod'), 'staging': stackFixture('staging'), 'github-environments': stackFixture('github-environments') },
    workflows: workflowFixtures(),
    texts: {},
  };
}

export function toInput(s: OutputState): PolicyInput {
  const input = new PolicyInput();
  for (const c of s.k8s) input.addKubernetesJson(c.environment, c.file, JSON.stringify(c.documents));
  for (const env of Object.keys(s.tf).sort()) input.addTerraformStack(env, `cdktf.out/stacks/${env}/cdk.tf.json`, JSON.stringify(s.tf[env], null, 2));
  for (const f of Object.keys(s.workflows).sort()) input.addWorkflow(`dist/workflows/${f}`, s.workflows[f]);
  for (const f of Object.keys(s.texts).sort()) input.addText(f, s.texts[f]);
  return input;
}

export function evaluate(s: OutputState): PolicyReport {
  return PolicyPack.default().evaluate(toInput(s));
}

/** The first document of a kind (and name, namespace) in the state; throws if there is none. */
export function doc(s: OutputState, kind: string, name?: string, namespace?: string): any {
  for (const c of s.k8s) {
    for (const d of c.documents) {
      const nameOk = name === undefined || d.metadata?.name === name;
      if (d.kind === kind && nameOk && (namespace === undefined || d.metadata?.namespace === namespace)) return d;
    }
  }
  throw new Error(`no ${kind} ${namespace ?? ''}/${name ?? ''} in the fixture`);
}

/** Add documents to the chart of a namespace (or a new file). */
export function addDocs(s: OutputState, file: string, ...documents: any[]): void {
  const chart = s.k8s.find(c => c.file === file);
  if (chart) chart.documents.push(...documents);
  else s.k8s.push({ environment: file.split('/')[1] ?? 'prod', file, documents });
}

/** The first Terraform resource of a type whose construct path ends with `pathSuffix`. */
export function tfResource(s: OutputState, env: string, type: string, pathSuffix: string = ''): any {
  const bodies = s.tf[env].resource[type] ?? {};
  for (const name of Object.keys(bodies).sort()) {
    if (String(bodies[name]['//']?.metadata?.path ?? '').endsWith(pathSuffix)) return bodies[name];
  }
  throw new Error(`no ${type} *${pathSuffix} in stack ${env}`);
}

/** The pod spec of the production backup CronJob of tenant acme. */
export function backupPod(s: OutputState): any {
  return doc(s, 'CronJob', 'backup-prod-acme').spec.jobTemplate.spec.template.spec;
}

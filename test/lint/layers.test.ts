import * as path from 'path';
import { Linter, loadESLint } from 'eslint';

// The layer rules of docs/architecture.md live in .eslintrc.json (generated from .projenrc.ts). These tests lint small
// snippets as if they sat in each layer, so a rule that stops biting fails here, not in review.
const root = path.resolve(__dirname, '..', '..');

// The configured `no-restricted-imports` options for a path (as resolved from the real config, overrides included),
// applied to plain import statements; the type-aware rules of the full config need no part in this.
async function lint(file: string, code: string): Promise<string[]> {
  const ESLint = await loadESLint({ useFlatConfig: false });
  const config = await new ESLint({ cwd: root }).calculateConfigForFile(path.join(root, file));
  const rule = config.rules?.['no-restricted-imports'];
  if (!rule) return [];
  const linter = new Linter({ configType: 'eslintrc' });
  const messages = linter.verify(code, {
    parserOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: { 'no-restricted-imports': rule },
  } as any);
  return messages.map(m => m.message);
}

describe('layer lint rules (docs/architecture.md)', () => {
  test('src/model imports no framework and no other layer', async () => {
    expect(await lint('src/model/probe.ts', "import { Chart } from 'cdk8s';\nexport const x = Chart;\n")).toEqual([expect.stringContaining('src/model is framework-free')]);
    expect(await lint('src/model/probe.ts', "import { App } from 'cdktf';\nexport const x = App;\n")).toEqual([expect.stringContaining('src/model is framework-free')]);
    expect(await lint('src/model/probe.ts', "import { Construct } from 'constructs';\nexport const x = Construct;\n")).toEqual([expect.stringContaining('src/model is framework-free')]);
    expect(await lint('src/model/probe.ts', "import { TenantChart } from '../k8s/tenant-chart';\nexport const x = TenantChart;\n")).toEqual([expect.stringContaining('src/model imports no other layer')]);
  });

  test('src/k8s never imports cdktf or src/tf', async () => {
    expect(await lint('src/k8s/probe.ts', "import { App } from 'cdktf';\nexport const x = App;\n")).toEqual([expect.stringContaining('src/k8s never imports cdktf')]);
    expect(await lint('src/k8s/probe.ts', "import { EnvironmentStack } from '../tf/environment-stack';\nexport const x = EnvironmentStack;\n")).toEqual([expect.stringContaining('src/k8s never imports src/tf')]);
  });

  test('src/tf never imports cdk8s or src/k8s', async () => {
    expect(await lint('src/tf/probe.ts', "import { Chart } from 'cdk8s';\nexport const x = Chart;\n")).toEqual([expect.stringContaining('src/tf never imports cdk8s')]);
    expect(await lint('src/tf/probe.ts', "import { TenantChart } from '../k8s/tenant-chart';\nexport const x = TenantChart;\n")).toEqual([expect.stringContaining('src/tf never imports src/k8s')]);
  });

  // Every arrow docs/architecture.md forbids, from a file directly in the layer and one folder below it.
  const forbidden: Array<[string, string[], RegExp]> = [
    ['k8s', ['policy', 'lifecycle', 'platform', 'testing'], /src\/k8s imports only src\/model and src\/output/],
    ['tf', ['policy', 'lifecycle', 'platform', 'testing'], /src\/tf imports only src\/model and src\/output/],
    ['policy', ['k8s', 'tf', 'lifecycle', 'platform', 'testing'], /src\/policy imports only src\/model and src\/output/],
    ['lifecycle', ['k8s', 'tf', 'policy', 'platform', 'testing'], /src\/lifecycle imports only src\/model and src\/output/],
    ['output', ['k8s', 'tf', 'policy', 'lifecycle', 'platform', 'testing'], /src\/output imports only src\/model/],
    ['model', ['output'], /src\/model imports no other layer/],
    ['testing', ['k8s', 'tf', 'policy', 'lifecycle'], /src\/testing reads a Platform's output through src\/output and src\/platform only/],
  ];
  test.each(forbidden)('src/%s may not import src/%p', async (layer, targets, message) => {
    for (const target of targets) {
      expect(await lint(`src/${layer}/probe.ts`, `import { x } from '../${target}/thing';\nexport const y = x;\n`)).toEqual([expect.stringMatching(message)]);
      expect(await lint(`src/${layer}/sub/probe.ts`, `import { x } from '../../${target}';\nexport const y = x;\n`)).toEqual([expect.stringMatching(message)]);
    }
  });

  test('the allowed arrows pass: engines, policy and lifecycle take from src/model and src/output; the platform takes from all', async () => {
    for (const layer of ['k8s', 'tf', 'policy', 'lifecycle']) {
      expect(await lint(`src/${layer}/probe.ts`, "import { x } from '../model/names';\nimport { y } from '../output/layout';\nexport const z = [x, y];\n")).toEqual([]);
    }
    expect(await lint('src/output/probe.ts', "import { x } from '../model/names';\nexport const z = x;\n")).toEqual([]);
    expect(await lint('src/platform/probe.ts', "import { a } from '../k8s/a';\nimport { b } from '../tf/b';\nimport { c } from '../policy/c';\nimport { d } from '../lifecycle/d';\nexport const z = [a, b, c, d];\n")).toEqual([]);
    expect(await lint('src/testing/probe.ts', "import { a } from '../platform/platform';\nimport { b } from '../output/tree';\nexport const z = [a, b];\n")).toEqual([]);
  });

  test('src/policy, src/lifecycle and src/output import no framework', async () => {
    expect(await lint('src/policy/probe.ts', "import { Chart } from 'cdk8s';\nexport const x = Chart;\n")).toEqual([expect.stringContaining('src/policy reads synthesized output and imports no framework')]);
    expect(await lint('src/lifecycle/probe.ts', "import { Construct } from 'constructs';\nexport const x = Construct;\n")).toEqual([expect.stringContaining('src/lifecycle reads the inventory and writes workflows without a framework')]);
    expect(await lint('src/output/probe.ts', "import { App } from 'cdktf';\nexport const x = App;\n")).toEqual([expect.stringContaining('src/output is framework-free')]);
  });

  test('cdktf stays inside src/tf', async () => {
    expect(await lint('src/platform/probe.ts', "import { App } from 'cdktf';\nexport const x = App;\n")).toEqual([expect.stringContaining('Keep every cdktf import inside src/tf')]);
    expect(await lint('src/tf/probe.ts', "import { App } from 'cdktf';\nexport const x = App;\n")).toEqual([]);
    expect(await lint('src/k8s/probe.ts', "import { Chart } from 'cdk8s';\nexport const x = Chart;\n")).toEqual([]);
  });
});

import * as path from 'path';
import { Linter, loadESLint } from 'eslint';

// The layer rules of DESIGN.md live in .eslintrc.json (generated from .projenrc.ts). These tests lint small
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

describe('layer lint rules (DESIGN.md)', () => {
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

  test('cdktf stays inside src/tf', async () => {
    expect(await lint('src/platform/probe.ts', "import { App } from 'cdktf';\nexport const x = App;\n")).toEqual([expect.stringContaining('Keep every cdktf import inside src/tf')]);
    expect(await lint('src/tf/probe.ts', "import { App } from 'cdktf';\nexport const x = App;\n")).toEqual([]);
    expect(await lint('src/k8s/probe.ts', "import { Chart } from 'cdk8s';\nexport const x = Chart;\n")).toEqual([]);
  });
});

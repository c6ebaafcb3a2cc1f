/** File name of the split-synthesis workflow, written when `WorkflowOptions.synthesisParts` is 2 or more. */
export const SYNTH_WORKFLOW_FILE = 'synth.yml';

/** What the synth workflow takes from the other generated workflows (shared steps and settings). */
export interface SynthWorkflowContext {
  /** Runner label. */
  readonly runsOn: string;
  /** Check out, set up Node.js, install. */
  readonly appSteps: object[];
  /** The command that synthesizes the platform (it reads `INOPSIO_SHARD`). */
  readonly synthCommand: string;
  /** The command of the final step (`SynthesisParts.merge`). */
  readonly mergeCommand: string;
  /** Number of parts (≥ 2). */
  readonly parts: number;
  /** The Platform's outdir (`dist`). */
  readonly outdir: string;
  /** The cdktf outdir (`cdktf.out`). */
  readonly terraformOutdir: string;
  /** `uses:` of the pinned upload-artifact and download-artifact actions. */
  readonly uploadArtifact: string;
  readonly downloadArtifact: string;
  /** Days the artifacts are kept. */
  readonly retentionDays: number;
}

/**
 * `synth.yml`: the horizontal synthesis of docs/performance.md on every pull request and push to the default branch.
 * GitHub Actions is the distributed engine: a matrix job synthesizes part `i/n` (`INOPSIO_SHARD`, read by the
 * Platform), each on its own runner, and uploads its output; the final job downloads every part into one tree, runs
 * the cross-part rules on the parts' digests (B03 uniqueness, environment parity) and writes the policy report
 * (`SynthesisParts.merge`), and uploads the whole output. Terraform Cloud then plans and applies each workspace
 * (each shard stack is one) as before.
 */
export function synthWorkflow(c: SynthWorkflowContext): object {
  const parts = Array.from({ length: c.parts }, (_, i) => i + 1);
  const output = [`${c.outdir}/`, `${c.terraformOutdir}/`].join('\n');
  return {
    name: 'synth',
    on: { pull_request: {}, push: { branches: ['main'] } },
    permissions: {},
    concurrency: { 'group': 'synth-${{ github.ref }}', 'cancel-in-progress': true },
    defaults: { run: { shell: 'bash' } },
    jobs: {
      part: {
        'runs-on': c.runsOn,
        'permissions': { contents: 'read' },
        'timeout-minutes': 60,
        'strategy': { 'fail-fast': false, 'matrix': { part: parts } },
        'env': { INOPSIO_SHARD: `\${{ matrix.part }}/${c.parts}` },
        'steps': [
          ...c.appSteps,
          { name: 'Synthesize this part: its shards\' tenants, and everything environment-wide in part 1', run: c.synthCommand },
          {
            name: 'Upload the part\'s output and policy digest',
            uses: c.uploadArtifact,
            with: { 'name': 'synthesis-part-${{ matrix.part }}', 'path': output, 'retention-days': c.retentionDays, 'if-no-files-found': 'error' },
          },
        ],
      },
      merge: {
        'needs': 'part',
        'runs-on': c.runsOn,
        'permissions': { contents: 'read' },
        'timeout-minutes': 30,
        'steps': [
          ...c.appSteps,
          {
            name: 'Download every part into one tree',
            uses: c.downloadArtifact,
            with: { 'pattern': 'synthesis-part-*', 'merge-multiple': true, 'path': '.' },
          },
          { name: 'Cross-part rules on the parts\' digests (B03, parity) and the policy report', run: c.mergeCommand },
          {
            name: 'Upload the whole output',
            uses: c.uploadArtifact,
            with: { 'name': 'synthesis', 'path': output, 'retention-days': c.retentionDays, 'if-no-files-found': 'error' },
          },
        ],
      },
    },
  };
}

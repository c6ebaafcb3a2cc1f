/**
 * Reporting synthesis problems to the cdktf CLI once, the way cdktf reports its own.
 *
 * `cdktf synth` (also `deploy`, `diff`) runs the app as a child process. When the app fails, the CLI prints the
 * child's stderr twice: live, line by line through its logger, and again in its "cdktf encountered an error while
 * synthesizing" summary. An uncaught error is itself printed twice by Node (the stack, which holds the message, and
 * then the error's enumerable properties), so each problem used to appear four times. The CLI prints error
 * *annotations* of `manifest.json` once each (`ERROR [<construct path>]: <message>`) and then fails with "one or more
 * error annotations have been encountered": that is how cdktf's own validations report under the CLI (the CLI sets
 * CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS so that `App.synth()` writes them instead of throwing).
 *
 * A failed synthesis under the CLI therefore replaces `manifest.json`, and nothing else, with a report of the
 * problems as error annotations: the stacks of the previous manifest stay listed (the CLI deletes the stack folders a
 * manifest does not list) and their files stay as they were; one more entry carries the annotations and names the
 * manifest itself as its stack file, so that the CLI, which reads every listed stack file, finds one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AnnotationMetadataEntryType, Manifest } from 'cdktf';
import { LifecycleValidationError } from '../model/problems';

/** The manifest entry that carries the annotations of a failed synthesis. */
export const FAILED_SYNTH_ENTRY = 'inopsio-synth-failed';

/** True when the cdktf CLI runs this process to synthesize (it sets both variables; nothing else does). */
export function runByCdktfCli(): boolean {
  return process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined && !!process.env.CDKTF_OUTDIR;
}

/**
 * Write `<outdir>/manifest.json` as a report of `problems` (each `<path>: <message>`) that the cdktf CLI prints once
 * each before it fails. Returns the file written.
 */
export function writeFailedSynthManifest(outdir: string, problems: readonly string[], fallbackPath: string): string {
  const file = path.join(outdir, Manifest.fileName);
  let previous: { stacks?: { [name: string]: unknown }; version?: string } = {};
  try {
    previous = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    // No earlier output (or not a manifest): the report lists no stacks but its own entry.
  }
  const stacks: { [name: string]: unknown } = { ...(typeof previous.stacks === 'object' && previous.stacks !== null ? previous.stacks : {}) };
  stacks[FAILED_SYNTH_ENTRY] = {
    name: FAILED_SYNTH_ENTRY,
    constructPath: fallbackPath,
    dependencies: [],
    workingDirectory: '.',
    // The CLI reads each listed stack's file as JSON (and its "//" metadata and "terraform" blocks): this one.
    synthesizedStackPath: Manifest.fileName,
    stackMetadataPath: Manifest.fileName,
    annotations: problems.map(p => {
      const at = p.indexOf(': ');
      return {
        constructPath: at > 0 ? p.slice(0, at) : fallbackPath,
        level: AnnotationMetadataEntryType.ERROR,
        message: at > 0 ? p.slice(at + 2) : p,
      };
    }),
  };
  const report = {
    '//': { metadata: { synthFailed: true, problems: problems.length } },
    'stacks': stacks,
    'terraform': {},
    'version': typeof previous.version === 'string' ? previous.version : '',
  };
  fs.mkdirSync(outdir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

const INSTALLED = Symbol.for('@inopsio/env-lifecycle.cdktfCliErrorReporting');

/**
 * Under the cdktf CLI only: a LifecycleValidationError that nothing catches (a model mistake such as
 * `new Environment({...})` with a bad tenant, thrown before the Platform exists) becomes the same failure report
 * instead of a crash the CLI would print four times. Any other uncaught error is rethrown as it was.
 */
export function reportUncaughtProblemsToCdktfCli(): void {
  if (!runByCdktfCli() || (process as any)[INSTALLED]) return;
  Object.defineProperty(process, INSTALLED, { value: true });
  const handler = (error: unknown) => {
    process.off('uncaughtException', handler);
    if (error instanceof LifecycleValidationError) {
      try {
        writeFailedSynthManifest(process.env.CDKTF_OUTDIR!, error.problems, 'app');
        return;
      } catch {
        // Could not write the report: fail as Node would.
      }
    }
    // Without a listener, Node prints the error and exits with code 1.
    process.nextTick(() => {
      throw error;
    });
  };
  process.on('uncaughtException', handler);
}

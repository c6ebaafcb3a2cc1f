import * as fs from 'fs';
import * as path from 'path';
import { ISynthesisSession, TerraformStack } from 'cdktf';
import { writeStableJson } from './stable-json';

const WRITING = new WeakSet<TerraformStack>();

/**
 * Let `stack` write its `cdk.tf.json` with `writeStableJson` (the same bytes as cdktf, in chunks) instead of
 * cdktf's `json-stable-stringify`, whose garbage peaks at several times the file's size just when a large platform
 * holds the most (docs/performance.md). cdktf's own synthesizer still runs first (aspects, validations, assets,
 * annotations, the manifest) while the stack's `toTerraform()` answers a placeholder (`writesPlaceholder`); then the
 * stack is written once, for real. HCL output is left to cdktf.
 */
export function useLeanSynthesis(stack: TerraformStack): void {
  const cdktfSynthesizer = stack.synthesizer;
  stack.synthesizer = {
    synthesize: (session: ISynthesisSession) => {
      if (session.manifest.hclOutput) {
        cdktfSynthesizer.synthesize(session);
        return;
      }
      WRITING.add(stack);
      try {
        cdktfSynthesizer.synthesize(session);
      } finally {
        WRITING.delete(stack);
      }
      const file = path.join(session.outdir, session.manifest.forStack(stack).synthesizedStackPath);
      const fd = fs.openSync(file, 'w');
      try {
        writeStableJson(stack.toTerraform(), '  ', chunk => fs.writeSync(fd, chunk));
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

/** True while cdktf's synthesizer runs for a stack under `useLeanSynthesis`: its `toTerraform()` answers `{}`. */
export function writesPlaceholder(stack: TerraformStack): boolean {
  return WRITING.has(stack);
}

import { App, Manifest } from 'cdktf';
import { IConstruct } from 'constructs';
import { readingStacks } from './lean-synthesis';
import { Problems } from '../model/problems';

/**
 * Synthesize the cdktf App that contains `scope` (kept here so that cdktf imports stay inside src/tf).
 *
 * With `outdir`, the App writes there instead of its own outdir (the Platform's staging folder, swapped in only when
 * every check passed): for the duration of the call the App's `outdir` and `manifest` point at `outdir`, so that
 * cdktf's own `App.synth()` (stacks, assets, annotations, validations, `manifest.json`) runs unchanged. With
 * `readStack`, each stack written with `useLeanSynthesis` is handed to it as it is written (`readingStacks`).
 */
export function synthTerraform(scope: IConstruct, outdir?: string, readStack?: (stack: string, file: string, json: unknown) => void): void {
  const root = scope.node.root;
  if (!(root instanceof App)) {
    new Problems(scope.node.path)
      .add('scope', 'is not inside a cdktf App', root.constructor.name, 'create the Platform in `new App()` from cdktf')
      .throwIfAny();
  }
  const app = root as App;
  if (readStack) {
    readingStacks(readStack, () => synthTerraform(scope, outdir));
    return;
  }
  if (outdir === undefined) {
    app.synth();
    return;
  }
  // `outdir` and `manifest` are readonly in the type only: cdktf reads both from the App at synthesis time.
  const target = app as unknown as { outdir: string; manifest: Manifest };
  const saved = { outdir: target.outdir, manifest: target.manifest };
  target.outdir = outdir;
  target.manifest = new Manifest(saved.manifest.version, outdir, saved.manifest.hclOutput);
  try {
    app.synth();
  } finally {
    target.outdir = saved.outdir;
    target.manifest = saved.manifest;
  }
}

/** The output folder of the cdktf App that contains `scope` (`cdktf.out` unless configured). */
export function terraformOutdir(scope: IConstruct): string {
  const root = scope.node.root;
  return root instanceof App ? root.outdir : 'cdktf.out';
}

import { App } from 'cdktf';
import { IConstruct } from 'constructs';
import { Problems } from '../model/problems';

/** Synthesize the cdktf App that contains `scope` (kept here so that cdktf imports stay inside src/tf). */
export function synthTerraform(scope: IConstruct): void {
  const root = scope.node.root;
  if (!(root instanceof App)) {
    new Problems(scope.node.path)
      .add('scope', 'is not inside a cdktf App', root.constructor.name, 'create the Platform in `new App()` from cdktf')
      .throwIfAny();
  }
  (root as App).synth();
}

/** The output folder of the cdktf App that contains `scope` (`cdktf.out` unless configured). */
export function terraformOutdir(scope: IConstruct): string {
  const root = scope.node.root;
  return root instanceof App ? root.outdir : 'cdktf.out';
}

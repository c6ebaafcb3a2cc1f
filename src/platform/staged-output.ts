/**
 * All-or-nothing output for `Platform.synth()`: everything is written to temporary folders next to the Platform's
 * outdir (`dist`) and the cdktf outdir (`cdktf.out`), checked there, and moved into place only when every check
 * passed. A failed synthesis deletes the temporary folders and leaves the previous output as it was.
 *
 * What is replaced, and what is left alone:
 * - in the Platform's outdir, the entries the Platform writes (`k8s/`, `charts/`, `workflows/`, `argocd-hooks/`, `lifecycle.json`,
 *   `policy-report.json`, and a split synthesis's `synthesis-parts/`): each is replaced by the new one, or removed when this synthesis did not write it, so no
 *   file of an earlier synthesis survives (a removed environment's manifests, an old report). Other entries of the
 *   folder (say `dist/js/` of a build) are not the Platform's and stay.
 * - in the cdktf outdir, `manifest.json` and, in each stack folder, what cdktf writes (`cdk.tf.json`, `cdk.tf`,
 *   `metadata.json`, `assets/`); the folders of stacks the previous manifest listed and this one does not are removed,
 *   as `cdktf synth` (the CLI) does. Everything else in a stack folder stays: `terraform init` puts `.terraform/`,
 *   `.terraform.lock.hcl` and, with a local backend, the state there.
 *
 * Moving into place is a series of renames within the same parent folders (no copy; the cost of the old output's
 * deletion is what the in-place synthesis paid too). Own implementation: no maintained library swaps a set of
 * entries between two folders while keeping the others.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The entries of the Platform's outdir that a synthesis owns. */
export const PLATFORM_ENTRIES = ['k8s', 'charts', 'workflows', 'argocd-hooks', 'lifecycle.json', 'policy-report.json', 'synthesis-parts'] as const;
/** What cdktf writes into a stack folder. */
const STACK_ENTRIES = ['cdk.tf.json', 'cdk.tf', 'metadata.json', 'assets'];
const MANIFEST = 'manifest.json';
const STACKS = 'stacks';

/** A pair of temporary folders that become the Platform's and cdktf's output on `commit()`. */
export class StagedOutput {
  /**
   * Create the temporary folders: `.<name>.synth-XXXXXX` next to each outdir (hidden, and in the same parent so that
   * moving into place is a rename).
   */
  public static open(outdir: string, terraformOutdir: string): StagedOutput {
    return new StagedOutput(outdir, stagingFolder(outdir), terraformOutdir, stagingFolder(terraformOutdir));
  }

  private committed = false;

  private constructor(
    /** The Platform's outdir as given (`dist`). */
    public readonly finalOutdir: string,
    /** Where this synthesis writes what goes to `finalOutdir`. */
    public readonly outdir: string,
    /** The cdktf App's outdir as given (`cdktf.out`). */
    public readonly finalTerraformOutdir: string,
    /** Where this synthesis writes what goes to `finalTerraformOutdir`. */
    public readonly terraformOutdir: string,
  ) {}

  /** The staged location of a path under either outdir (`dist/k8s/prod` → `.dist.synth-x/k8s/prod`). */
  public staged(finalPath: string): string {
    return mapPath(finalPath, [[this.finalOutdir, this.outdir], [this.finalTerraformOutdir, this.terraformOutdir]]);
  }

  /** The final location of a staged path, for messages, reports and return values. */
  public final(stagedPath: string): string {
    return mapPath(stagedPath, [[this.outdir, this.finalOutdir], [this.terraformOutdir, this.finalTerraformOutdir]]);
  }

  /** Move the staged output into place (see the file comment). Call once, after every check passed. */
  public commit(): void {
    if (this.committed) throw new Error('StagedOutput.commit() was called twice');
    this.committed = true;
    // What is replaced moves into the staging folder of its own tree (a rename never crosses file systems).
    const trashOf = new Map<string, string>();
    let n = 0;
    const replace = (root: string, from: string, to: string) => {
      if (fs.existsSync(to)) {
        if (!trashOf.has(root)) trashOf.set(root, fs.mkdtempSync(path.join(root, '.replaced-')));
        fs.renameSync(to, path.join(trashOf.get(root)!, `${n++}`));
      }
      if (fs.existsSync(from)) {
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.renameSync(from, to);
      }
    };
    // Terraform first, its manifest last: `cdktf` commands read the stacks the manifest lists.
    const tf = this.terraformOutdir;
    // A part of a split synthesis (src/platform/shard-synth.ts) writes its shard stacks without the manifest.
    const newStacks = [...new Set([...stackNames(path.join(tf, MANIFEST)), ...stackFolders(path.join(tf, STACKS))])];
    const oldStacks = stackNames(path.join(this.finalTerraformOutdir, MANIFEST));
    for (const name of newStacks) {
      for (const entry of STACK_ENTRIES) replace(tf, path.join(tf, STACKS, name, entry), path.join(this.finalTerraformOutdir, STACKS, name, entry));
    }
    for (const name of oldStacks.filter(s => !newStacks.includes(s))) {
      replace(tf, path.join(tf, STACKS, name), path.join(this.finalTerraformOutdir, STACKS, name));
    }
    replace(tf, path.join(tf, MANIFEST), path.join(this.finalTerraformOutdir, MANIFEST));
    for (const entry of PLATFORM_ENTRIES) replace(this.outdir, path.join(this.outdir, entry), path.join(this.finalOutdir, entry));
  }

  /** Delete the temporary folders (after `commit()`: with the replaced output in them). */
  public discard(): void {
    fs.rmSync(this.outdir, { recursive: true, force: true });
    fs.rmSync(this.terraformOutdir, { recursive: true, force: true });
  }
}

function stagingFolder(outdir: string): string {
  const normal = path.normalize(outdir).replace(/[\\/]+$/, '') || '.';
  const parent = path.dirname(path.resolve(normal)) === path.resolve(normal) ? normal : path.dirname(normal);
  const base = path.basename(path.resolve(normal));
  fs.mkdirSync(parent, { recursive: true });
  return fs.mkdtempSync(path.join(parent, `.${base}.synth-`));
}

function mapPath(p: string, pairs: Array<[string, string]>): string {
  for (const [from, to] of pairs) {
    const rel = path.relative(from, p);
    if (rel === '') return to;
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return path.join(to, rel);
  }
  return p;
}

/** The stack folders written into a staged `stacks/` folder. */
function stackFolders(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).filter(e => e.isDirectory()).map(e => e.name) : [];
}

/** The stack names a cdktf manifest lists (none when there is no readable manifest). */
function stackNames(manifestFile: string): string[] {
  try {
    const stacks = JSON.parse(fs.readFileSync(manifestFile, 'utf8')).stacks;
    return Object.values<any>(stacks ?? {})
      .map(s => (typeof s?.workingDirectory === 'string' ? path.relative(STACKS, s.workingDirectory) : ''))
      .filter(s => s !== '' && !s.startsWith('..') && !path.isAbsolute(s) && !s.includes(path.sep));
  } catch {
    return [];
  }
}

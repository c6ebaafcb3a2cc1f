/**
 * Reading a synthesized output tree into a PolicyInput (used by `PolicyInput.fromOutput` and by the Platform, which
 * hands its manifests over in memory and reads only the rest). Internal: not exported from the package.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import type { PolicyInput } from './input';
import { filesBelow, manifestFileOf, stackFileOf } from '../output/tree';

/** What to read; a folder left out is not read. */
export interface OutputFolders {
  readonly manifests?: string;
  readonly stacks?: string;
  readonly workflows?: string;
  readonly texts?: readonly string[];
  /** The environment a stack folder belongs to; by default the folder name. */
  readonly environmentOfStack?: (stackName: string) => string;
  /** Files not to read (their content is already in the input). */
  readonly skip?: ReadonlySet<string>;
  /**
   * SHA-256 digests (hex) of texts already in the input: a file with the same bytes is not added again. Grows
   * with every file read, so copies within the folders are added once too (Terraform assets copy the charts).
   */
  readonly knownDigests?: Set<string>;
  /**
   * The name a file read here gets in the input (findings, the report): the Platform reads its staged output and
   * names each file where it will be once moved into place.
   * @default - the path read
   */
  readonly displayPath?: (file: string) => string;
}

/** The digest `knownDigests` holds for a text. */
export function textDigest(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/**
 * Read the folders into `input`. A file that is a hard link of one already read (same device and inode: the local
 * charts' manifests are links to the manifest files) is read once, under its first name.
 */
export function readOutputFolders(input: PolicyInput, folders: OutputFolders): void {
  const seen = new Set<string>();
  const name = folders.displayPath ?? ((file: string) => file);
  const digests = folders.knownDigests ?? new Set<string>();
  // Plain text is scanned line by line; the same bytes twice give the same findings, so they are kept once.
  const addText = (file: string, text: string) => {
    const digest = textDigest(text);
    if (digests.has(digest)) return;
    digests.add(digest);
    input.addText(name(file), text);
  };
  // A file whose bytes have a known digest holds that text (a known digest is of a text's UTF-8 bytes, and bytes that
  // are some text's UTF-8 decode to a text of the same bytes): skipped having been hashed, not decoded. The stacks'
  // assets copy every local chart, about 320 MB at N = 1,000. Other bytes are decoded and added as before.
  const addTextFile = (file: string) => {
    const bytes = fs.readFileSync(file);
    if (digests.has(crypto.createHash('sha256').update(bytes).digest('hex'))) return;
    addText(file, bytes.toString('utf8'));
  };
  const fresh = (file: string) => {
    if (folders.skip?.has(file)) return false;
    const stat = fs.statSync(file);
    if (stat.nlink < 2) return true;
    const id = `${stat.dev}:${stat.ino}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  };
  if (folders.manifests) {
    for (const file of filesBelow(folders.manifests)) {
      if (!fresh(file)) continue;
      const manifest = manifestFileOf(folders.manifests, file);
      const text = fs.readFileSync(file, 'utf8');
      if (manifest?.format === 'yaml') {
        input.addKubernetesManifests(manifest.environment, name(file), text);
        digests.add(textDigest(text));
      } else if (manifest?.format === 'json') {
        input.addKubernetesJson(manifest.environment, name(file), text);
        digests.add(textDigest(text));
      } else {
        addText(file, text);
      }
    }
  }
  if (folders.stacks) {
    for (const file of filesBelow(folders.stacks)) {
      if (!fresh(file)) continue;
      const stack = stackFileOf(folders.stacks, file);
      if (stack) input.addTerraformStack(folders.environmentOfStack?.(stack.stack) ?? stack.stack, name(file), fs.readFileSync(file, 'utf8'));
      else addTextFile(file);
    }
  }
  if (folders.workflows) {
    for (const file of filesBelow(folders.workflows)) {
      if (!fresh(file)) continue;
      const text = fs.readFileSync(file, 'utf8');
      if (/\.ya?ml$/.test(file)) input.addWorkflow(name(file), text);
      else addText(file, text);
    }
  }
  for (const dir of folders.texts ?? []) {
    for (const file of filesBelow(dir)) {
      if (fresh(file)) addTextFile(file);
    }
  }
}

import * as fs from 'fs';
import * as path from 'path';
import { OutputLayout } from './layout';

/**
 * The one reader of a synthesized output tree (docs/outputs.md): which file is what, by where the layout puts it.
 * The policy pack (`PolicyInput.fromOutput`, `Platform.synth`'s checks), the testing helpers (`PlatformTesting`) and
 * the CLI read the output through it, so that they agree on what a file is.
 */

/** Files below `dir`, recursively, as full paths, sorted by name at every level; `[]` if it does not exist. */
export function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  walk(dir);
  return out;
}

/** A manifest file of one environment: `<manifests>/<env>/<chart>.k8s.yaml` (or `.json`). */
export interface ManifestFile {
  /** Full path. */
  readonly file: string;
  /** The environment: the folder below the manifests folder. */
  readonly environment: string;
  /** The chart: the file name without `.k8s.yaml` and cdk8s's `0000-` ordering prefix. */
  readonly chart: string;
  /** YAML (`.yaml`, `.yml`) or JSON. */
  readonly format: 'yaml' | 'json';
}

/** A Terraform stack: `<stacks>/<stack>/cdk.tf.json`. */
export interface StackFile {
  /** Full path. */
  readonly file: string;
  /** The stack: its folder name (an environment, or one of its shard and chart stacks). */
  readonly stack: string;
}

/** What a file below a manifests folder is: a manifest file of an environment, or undefined for anything else. */
export function manifestFileOf(dir: string, file: string): ManifestFile | undefined {
  const rel = path.relative(dir, file).split(path.sep);
  const format = /\.ya?ml$/.test(file) ? 'yaml' : /\.json$/.test(file) ? 'json' : undefined;
  if (rel.length < 2 || !format) return undefined;
  const chart = path.basename(file).replace(/(\.k8s)?\.(ya?ml|json)$/, '').replace(/^\d{4}-/, '');
  return { file, environment: rel[0], chart, format };
}

/** What a file below a stacks folder is: a stack's `cdk.tf.json`, or undefined for anything else (assets). */
export function stackFileOf(dir: string, file: string): StackFile | undefined {
  const rel = path.relative(dir, file).split(path.sep);
  return rel.length === 2 && rel[1] === OutputLayout.STACK_FILE_NAME ? { file, stack: rel[0] } : undefined;
}

/** The manifest files below a manifests folder, sorted. */
export function manifestFilesBelow(dir: string): ManifestFile[] {
  return filesBelow(dir).map(f => manifestFileOf(dir, f)).filter((m): m is ManifestFile => m !== undefined);
}

/**
 * The stacks cdktf's `manifest.json` lists, in its order, with their files: the stacks of this synth (a stack folder
 * left over from an earlier run is not listed). `[]` without a manifest.
 */
export function synthesizedStacks(layout: OutputLayout): StackFile[] {
  if (!fs.existsSync(layout.cdktfManifestFile)) return [];
  const manifest = JSON.parse(fs.readFileSync(layout.cdktfManifestFile, 'utf8'));
  return Object.entries<any>(manifest.stacks ?? {}).map(([stack, s]) => ({ stack, file: path.join(layout.cdktfOutdir, s.synthesizedStackPath) }));
}

/** Every file of an output tree (both folders of the layout), as full paths, sorted. */
export function outputFiles(layout: OutputLayout): string[] {
  return [...filesBelow(layout.outdir), ...filesBelow(layout.cdktfOutdir)];
}

/**
 * The lifecycle inventory of an output tree (`<outdir>/lifecycle.json`), or undefined when that output has none (not
 * synthesized yet, or another folder). How the CLI finds it when `--inventory` is not given.
 */
export function inventoryFileOf(layout: OutputLayout): string | undefined {
  const file = layout.inventoryFile;
  return fs.existsSync(file) && fs.statSync(file).isFile() ? file : undefined;
}

/** Hard-link `target` to `existing`; false (and nothing written) where the file system refuses (another device...). */
export function hardLink(existing: string, target: string): boolean {
  try {
    fs.linkSync(existing, target);
    return true;
  } catch {
    return false;
  }
}

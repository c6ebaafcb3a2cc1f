// The full-output floor (issue 20 item 1): every file `Platform.synth()` writes — manifests, local charts, Terraform
// JSON and its assets, the inventory, the workflows, the policy report — captured from a real synthesis as plain
// objects (outside any timed region), then written again from those objects with the same writers, no constructs,
// no resolution, no checks. bench.ts checks that the floor's tree equals the default path's byte for byte.
//
// Each file is captured as the plainest thing that gives its bytes back:
//   yaml    the documents, written with this library's YAML writer (`stringifyDocuments`, the manifests' writer)
//   toyaml  one value, written with `toYaml` (the local charts' Chart.yaml and values.yaml)
//   json    one value, `JSON.stringify(value, null, 2)` plus a line break (inventory, policy report, manifest.json)
//   tfjson  one value, written with `writeStableJson` (cdk.tf.json, as the default path writes it)
//   text    the text itself, where no writer above gives the same bytes (generated workflows, scripts)
//   link    a hard link of an earlier file (the local charts' manifests are links to the manifest files)
//   copy    a copy of an earlier file with the same bytes (cdktf copies the local charts into its stack assets)
// The capture picks the first kind whose writer reproduces the file exactly and says how many files fell to `text`.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { stringifyDocuments } from '../src/k8s/yaml-writer';
import { parseYaml, parseYamlDocuments, toYaml } from '../src/output/yaml';
import { writeStableJson } from '../src/tf/stable-json';

export type FloorKind = 'yaml' | 'toyaml' | 'json' | 'tfjson' | 'text' | 'link' | 'copy';

/** One file of the floor: its path relative to the output root and what it is written from. */
export interface FloorEntry {
  readonly file: string;
  readonly kind: FloorKind;
  /** The documents (yaml), the value (toyaml, json, tfjson), the text (text) or the earlier file (link, copy). */
  readonly data: any;
}

function stableJsonText(value: unknown): string {
  const parts: string[] = [];
  writeStableJson(value, '  ', chunk => parts.push(chunk));
  return parts.join('');
}

function filesBelow(root: string, dir: string = root, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) filesBelow(root, p, out);
    else out.push(p);
  }
  return out;
}

/** The plain-object form of one file's text, or `text` when no writer reproduces it. */
function captureText(file: string, text: string): { kind: FloorKind; data: any } {
  const attempt = (kind: FloorKind, parse: () => any, write: (x: any) => string) => {
    try {
      const data = parse();
      return write(data) === text ? { kind, data } : undefined;
    } catch {
      return undefined;
    }
  };
  if (/\.ya?ml$/.test(file)) {
    return attempt('yaml', () => parseYamlDocuments(text, file, '1.1'), stringifyDocuments)
      ?? attempt('toyaml', () => parseYaml(text), toYaml)
      ?? { kind: 'text', data: text };
  }
  if (file.endsWith('.json')) {
    return (path.basename(file) === 'cdk.tf.json' ? attempt('tfjson', () => JSON.parse(text), stableJsonText) : undefined)
      ?? attempt('json', () => JSON.parse(text), x => `${JSON.stringify(x, null, 2)}\n`)
      ?? attempt('tfjson', () => JSON.parse(text), stableJsonText)
      ?? { kind: 'text', data: text };
  }
  return { kind: 'text', data: text };
}

/**
 * Capture every file below `roots` (relative to `base`) as floor entries, one JSON line each, into `dumpFile`.
 * Returns how many files of each kind.
 */
export function captureFloor(base: string, roots: string[], dumpFile: string): { [kind: string]: number } {
  const fd = fs.openSync(dumpFile, 'w');
  const counts: { [kind: string]: number } = {};
  const inodes = new Map<string, string>();
  const firstWithBytes = new Map<string, string>();
  try {
    for (const root of roots) {
      for (const abs of filesBelow(path.join(base, root))) {
        const file = path.relative(base, abs);
        const stat = fs.statSync(abs);
        const inode = `${stat.dev}:${stat.ino}`;
        const buf = fs.readFileSync(abs);
        const bytes = crypto.createHash('sha256').update(buf).digest('hex');
        let entry: FloorEntry;
        if (stat.nlink > 1 && inodes.has(inode)) {
          entry = { file, kind: 'link', data: inodes.get(inode) };
        } else if (firstWithBytes.has(bytes)) {
          entry = { file, kind: 'copy', data: firstWithBytes.get(bytes) };
        } else {
          entry = { file, ...captureText(file, buf.toString('utf8')) };
          firstWithBytes.set(bytes, file);
        }
        if (stat.nlink > 1 && !inodes.has(inode)) inodes.set(inode, file);
        counts[entry.kind] = (counts[entry.kind] ?? 0) + 1;
        fs.writeSync(fd, `${JSON.stringify(entry)}\n`);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return counts;
}

/** Write the entries below `dir`, each with its writer, creating folders as needed. Returns the files written. */
export function writeFloor(entries: readonly FloorEntry[], dir: string): number {
  const made = new Set<string>();
  for (const e of entries) {
    const out = path.join(dir, e.file);
    const parent = path.dirname(out);
    if (!made.has(parent)) {
      fs.mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    switch (e.kind) {
      case 'yaml': fs.writeFileSync(out, stringifyDocuments(e.data)); break;
      case 'toyaml': fs.writeFileSync(out, toYaml(e.data)); break;
      case 'json': fs.writeFileSync(out, `${JSON.stringify(e.data, null, 2)}\n`); break;
      case 'tfjson': {
        // As the default path writes cdk.tf.json: in chunks, never the whole text at once.
        const fd = fs.openSync(out, 'w');
        try {
          writeStableJson(e.data, '  ', chunk => fs.writeSync(fd, chunk));
        } finally {
          fs.closeSync(fd);
        }
        break;
      }
      case 'text': fs.writeFileSync(out, e.data); break;
      case 'link': fs.linkSync(path.join(dir, e.data), out); break;
      case 'copy': fs.copyFileSync(path.join(dir, e.data), out); break;
    }
  }
  return entries.length;
}

/**
 * Turns the backup scripts in `src/k8s/scripts/` into TypeScript constants (`src/k8s/scripts/generated.ts`).
 *
 * Why generated constants and not `fs.readFileSync` of the `.sh` files at run time: the library runs from four
 * places that see different trees. ts-jest and ts-node (`npm run example`) run `src/`, jsii compiles `src/` into
 * `lib/` (which would need a copy step for non-TypeScript files, and the packed tarball an npmignore exception),
 * and `npm run bench` transpiles `src/` into a scratch folder of `.js` files only. A `.ts` module of string
 * constants is the one form all four load unchanged, with no file I/O at synth time, and jsii packaging stays as it
 * is. The price is a generated file in git: `test/k8s/backup-scripts-source.test.ts` regenerates it in memory and
 * fails when the committed copy is stale, and the `pre-compile` task rewrites it.
 *
 * The source convention, kept deliberately small:
 * - An entry script (`backup.sh`, `prune.sh`, `restore-drill.sh`) is shipped line for line, except:
 *   - `#@render identity ...`: replaced at synth by `# env=<env> tenant=<tenant> database=<database>`;
 *   - `#@render config ...`: replaced at synth by the rendered options (`readonly CFG_*=...` lines);
 *   - an include, the two lines `# shellcheck source=lib/<name>.sh` and `. "${BASH_SOURCE[0]%/*}/lib/<name>.sh"`,
 *     replaced by that library (so that every shipped script stays self-contained: one ConfigMap key each).
 * - A library (`lib/<name>.sh`) starts with `# shellcheck shell=bash` and may go on with comment lines (its
 *   documentation); those leading comment lines are not shipped, everything from the first other line on is.
 *
 * Real `source` lines keep the tree a program ShellCheck can follow: `shellcheck -x -a -P SCRIPTDIR` on the three
 * entry scripts checks every library in context (test/k8s/backup-scripts-source.test.ts).
 *
 * Run: `npx projen backup-scripts` (also part of `pre-compile`).
 */
import * as fs from 'fs';
import * as path from 'path';

/** The scripts' source folder and the generated module, relative to the repository root. */
export const SCRIPTS_DIR = path.join('src', 'k8s', 'scripts');
export const GENERATED_FILE = path.join(SCRIPTS_DIR, 'generated.ts');
/** The entry scripts, in ConfigMap key order. */
export const ENTRY_SCRIPTS = ['backup.sh', 'prune.sh', 'restore-drill.sh'];

/** A piece of an entry script's body: its own text, or an included library. */
export interface ScriptSegment {
  readonly text?: string;
  readonly include?: string;
}

/** One entry script assembled: fixed text around the two rendered parts. */
export interface AssembledScript {
  readonly file: string;
  readonly head: string;
  readonly preamble: string;
  /** The body as segments (libraries by name), and as the text shipped. */
  readonly segments: ScriptSegment[];
  readonly body: string;
  readonly reads: string[];
}

const RENDER = /^#@render (identity|config)\b.*\n/gm;
const INCLUDE = /^# shellcheck source=(lib\/[a-z0-9-]+\.sh)\n\. "\$\{BASH_SOURCE\[0\]%\/\*\}\/([^"]+)"\n/gm;
const LIB_DIRECTIVE = '# shellcheck shell=bash\n';

function fail(file: string, message: string): never {
  throw new Error(`${file}: ${message}`);
}

/** A library's shipped text: everything after its leading comment lines. */
function libraryText(root: string, name: string): string {
  const file = path.join(root, SCRIPTS_DIR, name);
  if (!fs.existsSync(file)) fail(name, 'is included but does not exist');
  const text = fs.readFileSync(file, 'utf8');
  if (!text.startsWith(LIB_DIRECTIVE)) fail(name, `must start with "${LIB_DIRECTIVE.trim()}"`);
  const all = text.split('\n');
  let first = 0;
  while (first < all.length && all[first].startsWith('#')) first++;
  const shipped = all.slice(first).join('\n');
  if (/^\. "|^source /m.test(shipped)) fail(name, 'includes another file: only entry scripts include libraries');
  if (/^#@render /m.test(shipped)) fail(name, 'has a #@render line: only entry scripts have them');
  return shipped;
}

/** Upper-case variables a text expands (`$NAME`, `${NAME...}`), sorted: the rendered options keep only these. */
function readsOf(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)) names.add(m[1]);
  return [...names].sort();
}

/** Assemble one entry script from the source tree. */
export function assembleScript(root: string, file: string): AssembledScript {
  const source = fs.readFileSync(path.join(root, SCRIPTS_DIR, file), 'utf8');
  const parts = source.split(RENDER);
  // split() with one capturing group: [text, slot, text, slot, text].
  if (parts.length !== 5 || parts[1] !== 'identity' || parts[3] !== 'config') {
    fail(file, 'needs exactly one "#@render identity" line and, after it, one "#@render config" line');
  }
  const [head, , preamble, , rest] = parts;
  if (new RegExp(INCLUDE.source, 'm').test(head + preamble)) fail(file, 'includes a library before "#@render config": the options must come first');
  const segments: ScriptSegment[] = [];
  let last = 0;
  for (const m of rest.matchAll(INCLUDE)) {
    if (m[1] !== m[2]) fail(file, `include of ${m[2]} names ${m[1]} in its shellcheck directive`);
    if (m.index! > last) segments.push({ text: rest.slice(last, m.index) });
    libraryText(root, m[2]);
    segments.push({ include: m[2] });
    last = m.index! + m[0].length;
  }
  if (last < rest.length) segments.push({ text: rest.slice(last) });
  const body = segments.map(s => s.include ? libraryText(root, s.include) : s.text!).join('');
  const leftover = /^(?:\.|source) .*$/m.exec(head + preamble + body);
  if (leftover) fail(file, `"${leftover[0]}" is not an include of the form '. "\${BASH_SOURCE[0]%/*}/lib/<name>.sh"' after its shellcheck source= line`);
  return { file, head, preamble, segments, body, reads: readsOf(head + preamble + body) };
}

/** A JavaScript single-quoted string literal of `text`. */
function literal(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, '\\\'').replace(/[\x00-\x1f\x7f]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

/** A text as an array of its lines joined with "\n" (one source line per line: readable diffs). */
function lines(text: string, indent: string): string {
  return `[\n${text.split('\n').map(l => `${indent}  ${literal(l)},`).join('\n')}\n${indent}].join('\\n')`;
}

/** The content of `src/k8s/scripts/generated.ts` for the scripts in the tree under `root`. */
export function generatedModule(root: string): string {
  const scripts = ENTRY_SCRIPTS.map(file => assembleScript(root, file));
  const libraries = [...new Set(scripts.flatMap(s => s.segments.filter(g => g.include).map(g => g.include!)))].sort();
  const segment = (g: ScriptSegment) => g.include ? `      { include: ${literal(g.include)} },` : `      { text: ${lines(g.text!, '      ')} },`;
  const entries = scripts.map(s => [
    `  ${literal(s.file)}: {`,
    `    head: ${lines(s.head, '    ')},`,
    `    preamble: ${lines(s.preamble, '    ')},`,
    '    body: [',
    ...s.segments.map(segment),
    '    ],',
    `    reads: [${s.reads.map(literal).join(', ')}],`,
    '  },',
  ].join('\n'));
  return [
    '// Generated by projenrc/backup-scripts.ts from src/k8s/scripts/*.sh: edit those, then run `npx projen backup-scripts`',
    '// (pre-compile runs it too). test/k8s/backup-scripts-source.test.ts fails when this file is stale.',
    '',
    '/** A piece of a script body: its own text, or a library of BACKUP_SCRIPT_LIBRARIES inlined. */',
    'export interface BackupScriptSegment {',
    '  readonly text?: string;',
    '  readonly include?: string;',
    '}',
    '',
    '/** One shipped backup script: fixed text around its two rendered parts. */',
    'export interface BackupScriptTemplate {',
    '  /** The text before the `#@render identity` line. */',
    '  readonly head: string;',
    '  /** The text between `#@render identity` and `#@render config`. */',
    '  readonly preamble: string;',
    '  /** The text after `#@render config`: the script\'s own text and the libraries it includes, traps and `main "$@"`. */',
    '  readonly body: readonly BackupScriptSegment[];',
    '  /** Upper-case variables the fixed text expands, sorted: the rendered options keep only these. */',
    '  readonly reads: readonly string[];',
    '}',
    '',
    '/** The libraries (`lib/<name>.sh`) as shipped: without their leading comment lines. */',
    'export const BACKUP_SCRIPT_LIBRARIES: { readonly [file: string]: string } = {',
    ...libraries.map(l => `  ${literal(l)}: ${lines(libraryText(root, l), '  ')},`),
    '};',
    '',
    '/** The entry scripts by ConfigMap key. */',
    'export const BACKUP_SCRIPT_TEMPLATES: { readonly [file: string]: BackupScriptTemplate } = {',
    ...entries,
    '};',
    '',
  ].join('\n');
}

/** Write the generated module if it changed; returns whether it did. */
export function writeGeneratedModule(root: string): boolean {
  const file = path.join(root, GENERATED_FILE);
  const text = generatedModule(root);
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return false;
  fs.writeFileSync(file, text);
  return true;
}

if (require.main === module) {
  const changed = writeGeneratedModule(path.resolve(__dirname, '..'));
  console.log(`${GENERATED_FILE} ${changed ? 'regenerated' : 'is up to date'}`);
}

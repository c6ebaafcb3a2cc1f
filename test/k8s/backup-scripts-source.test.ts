/**
 * The backup scripts' source tree (src/k8s/scripts/*.sh): ShellCheck on the files themselves, the generated
 * constants never stale, and the source convention of projenrc/backup-scripts.ts enforced.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assembleScript, ENTRY_SCRIPTS, GENERATED_FILE, generatedModule, SCRIPTS_DIR } from '../../projenrc/backup-scripts';

const ROOT = path.resolve(__dirname, '..', '..');

/** A scratch copy of the scripts' source tree, for fixtures that break the convention. */
function scratchTree(change: (dir: string) => void): string {
  const root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? os.tmpdir(), 'backup-scripts-src-'));
  fs.cpSync(path.join(ROOT, SCRIPTS_DIR), path.join(root, SCRIPTS_DIR), { recursive: true });
  change(path.join(root, SCRIPTS_DIR));
  return root;
}

function shellcheck(files: string[], cwd: string): string {
  try {
    execFileSync('shellcheck', ['--external-sources', '--check-sourced', '--source-path=SCRIPTDIR', '-s', 'bash', '-S', 'style', '-f', 'gcc', ...files], { encoding: 'utf8', cwd });
    return '';
  } catch (e) {
    const err = e as { stdout?: string; status?: number; message: string };
    if (err.status === undefined || err.stdout === undefined) throw e;
    return err.stdout;
  }
}

describe('backup scripts source (src/k8s/scripts)', () => {
  test('ShellCheck (severity style) reports nothing for the .sh files, each entry script checked with the libraries it sources', () => {
    const files = ENTRY_SCRIPTS.map(f => path.join(SCRIPTS_DIR, f));
    expect(shellcheck(files, ROOT)).toBe('');
    // Every library is checked through an entry script that sources it.
    const libraries = fs.readdirSync(path.join(ROOT, SCRIPTS_DIR, 'lib')).filter(f => f.endsWith('.sh')).map(f => `lib/${f}`).sort();
    const included = new Set(ENTRY_SCRIPTS.flatMap(f => assembleScript(ROOT, f).segments.filter(s => s.include).map(s => s.include!)));
    expect([...included].sort()).toEqual(libraries);
  });

  test('ShellCheck does look into the libraries: a planted problem in one is reported at its own line', () => {
    const root = scratchTree(dir => fs.appendFileSync(path.join(dir, 'lib', 'store.sh'), '\nplanted() { local x; echo $x; }\n'));
    try {
      const out = shellcheck([path.join(SCRIPTS_DIR, 'prune.sh')], root);
      expect(out).toMatch(/lib\/store\.sh:\d+:\d+: (warning|note|info): .*\[SC2086\]/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test(`${GENERATED_FILE} is what projenrc/backup-scripts.ts generates from the .sh files (run \`npx projen backup-scripts\`)`, () => {
    expect(fs.readFileSync(path.join(ROOT, GENERATED_FILE), 'utf8')).toBe(generatedModule(ROOT));
  });

  test('the staleness check bites: an edited .sh file changes the generated module', () => {
    const root = scratchTree(dir => {
      const file = path.join(dir, 'lib', 'prune.sh');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('DRY_RUN=0', 'DRY_RUN=0 # edited'));
    });
    try {
      expect(generatedModule(root)).not.toBe(fs.readFileSync(path.join(ROOT, GENERATED_FILE), 'utf8'));
      expect(generatedModule(root)).toContain("'DRY_RUN=0 # edited',");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('the source convention: libraries ship without their comment header, includes are inlined, both render slots are required', () => {
    const backup = assembleScript(ROOT, 'backup.sh');
    expect(backup.head).toBe('#!/usr/bin/env bash\n# inopsio tenant PostgreSQL backup: pg_dump -> verify -> publish -> offsite mirror -> prune\n');
    expect(backup.body).not.toContain('# shellcheck');
    expect(backup.body).not.toMatch(/^\. "/m);
    expect(backup.segments.filter(s => s.include).map(s => s.include)).toEqual(['lib/common.sh', 'lib/store.sh', 'lib/manifest.sh', 'lib/prune.sh', 'lib/traps.sh']);
    expect(backup.reads).toEqual(expect.arrayContaining(['CFG_DATABASE', 'CFG_KEEP_LATEST', 'SCRIPT_KIND', 'METRIC_DEFS']));
    expect(assembleScript(ROOT, 'restore-drill.sh').reads).not.toContain('CFG_KEEP_LATEST');

    const broken: Array<[string, (dir: string) => void, RegExp]> = [
      ['no config slot', dir => edit(dir, 'prune.sh', s => s.replace(/^#@render config.*\n/m, '')), /prune\.sh: needs exactly one "#@render identity" line and, after it, one "#@render config" line/],
      ['a bare source line', dir => edit(dir, 'prune.sh', s => s.replace('# ---- prune ----', '# ---- prune ----\n. /etc/profile')), /prune\.sh: "\. \/etc\/profile" is not an include/],
      ['a directive naming another file', dir => edit(dir, 'prune.sh', s => s.replace('# shellcheck source=lib/store.sh', '# shellcheck source=lib/manifest.sh')), /prune\.sh: include of lib\/store\.sh names lib\/manifest\.sh/],
      ['a library without its directive', dir => edit(dir, 'lib/traps.sh', s => s.replace('# shellcheck shell=bash\n', '')), /lib\/traps\.sh: must start with "# shellcheck shell=bash"/],
      ['a missing library', dir => fs.rmSync(path.join(dir, 'lib', 'traps.sh')), /lib\/traps\.sh: is included but does not exist/],
    ];
    for (const [what, change, message] of broken) {
      const root = scratchTree(change);
      try {
        expect(() => assembleScript(root, 'prune.sh')).toThrow(message);
      } catch (e) {
        throw new Error(`${what}: ${(e as Error).message}`);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    }
  });
});

function edit(dir: string, file: string, change: (text: string) => string): void {
  const f = path.join(dir, file);
  fs.writeFileSync(f, change(fs.readFileSync(f, 'utf8')));
}

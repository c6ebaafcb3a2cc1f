/**
 * The reference platform (`examples/main.ts`) synthesized as `npm run example` does, into a scratch working
 * directory: `<dir>/dist/...` and `<dir>/cdktf.out/stacks/...`. For tests that hand its output to real engines.
 *
 * One synthesis costs ~15 s of CPU on this project's 2-core CI machine (ts-node transpiling ~2 MB of src/ in a child
 * process, then the synth), and a dozen test files need the same output. So the output is synthesized once per
 * distinct input and copied from a content-keyed cache under `$TMPDIR` (see cacheKey: the sources, the example, the
 * lockfile, Node and every environment variable the example or the library reads). A change to any of them is a
 * new key, so stale output is never reused. Each caller gets its own copy and may change or delete it.
 */
import { execFile, execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';

const root = path.resolve(__dirname, '..', '..');

/** Environment variables the example or the library reads (examples/main.ts, src/): part of the cache key. */
const INPUT_ENV = /^(INOPSIO_|EXAMPLE_|PLATFORM_|CDKTF_|TS_NODE_|NODE_OPTIONS$|TZ$)/;

/** What the cache key covers, relative to the project root: every file below a folder, or the file. */
export const KEY_INPUTS: readonly string[] = [
  'src', 'examples', 'package-lock.json', 'tsconfig.json', 'test/support/reference-platform.ts',
];

export interface SynthesisOptions {
  /**
   * Environment variables for the example, over the caller's: a value of `undefined` removes the variable.
   * @default none (the caller's environment)
   */
  readonly env?: Record<string, string | undefined>;
  /**
   * Synthesize afresh and skip the cache (a test of the synthesis itself).
   * @default false
   */
  readonly fresh?: boolean;
}

function listFiles(rel: string, base: string = root): string[] {
  const abs = path.join(base, rel);
  if (!fs.existsSync(abs)) return [];
  if (!fs.statSync(abs).isDirectory()) return [rel];
  return fs.readdirSync(abs, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap(e => listFiles(path.join(rel, e.name), base));
}

/**
 * The example's environment: the caller's, without the variables that select another platform (a Kubernetes target,
 * the previews, a shard, the creation time, cdktf's CLI hand-off), so the output is that of `npm run example` in CI;
 * then `options.env` over it.
 */
function childEnv(options: SynthesisOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_PROJECT: path.join(root, 'examples', 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' };
  for (const name of Object.keys(env)) if (/^(INOPSIO_|EXAMPLE_|PLATFORM_|CDKTF_)/.test(name)) delete env[name];
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/**
 * The cache key of a synthesis: sha256 over the path and bytes of every file of KEY_INPUTS (below `base`), the Node
 * version and every environment variable of the child that INPUT_ENV matches, sorted by name.
 */
export function cacheKey(env: NodeJS.ProcessEnv, base: string = root): string {
  const hash = createHash('sha256');
  for (const file of KEY_INPUTS.flatMap(i => listFiles(i, base))) {
    hash.update(`file ${file.split(path.sep).join('/')}\0`).update(fs.readFileSync(path.join(base, file))).update('\0');
  }
  hash.update(`node ${process.version}\0`);
  for (const name of Object.keys(env).filter(n => INPUT_ENV.test(n)).sort()) hash.update(`env ${name}=${env[name]}\0`);
  return hash.digest('hex');
}

const exampleArgs = () => ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', path.join(root, 'examples', 'main.ts')];

function runExample(cwd: string, env: NodeJS.ProcessEnv): void {
  execFileSync(process.execPath, exampleArgs(), {
    cwd,
    env,
    stdio: 'pipe',
  });
}

/** Block this thread for `ms` (the helpers are synchronous; a waiting jest worker has nothing else to do). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A lock older than this is abandoned even if its process seems alive (a synthesis takes well under a minute alone). */
const STALE_LOCK_MS = 10 * 60_000;

/** Is this lock abandoned: its holder's process is gone (a jest worker killed mid-synthesis), or it is too old? */
export function staleLock(lock: string): boolean {
  const since = fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
  if (since === undefined) return false;
  if (Date.now() - since > STALE_LOCK_MS) return true;
  let pid = 0;
  try {
    pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
  } catch {
    // Not written yet (the holder writes it right after taking the lock), or the lock is gone already.
  }
  if (!pid) return Date.now() - since > 5_000;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * The cached output for this key, synthesized if missing. Two jest workers that miss at once: one synthesizes (it
 * holds `<key>.lock`), the other waits for `<key>` to appear; the finished output is renamed into place atomically,
 * so a reader never sees half a tree.
 */
function cachedOutput(env: NodeJS.ProcessEnv, dir: string): string {
  const key = cacheKey(env);
  const done = path.join(dir, key);
  const lock = `${done}.lock`;
  fs.mkdirSync(dir, { recursive: true });
  for (;;) {
    if (fs.existsSync(done)) return done;
    try {
      fs.mkdirSync(lock);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (staleLock(lock)) fs.rmSync(lock, { recursive: true, force: true });
      else sleep(200);
      continue;
    }
    fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
    try {
      if (fs.existsSync(done)) return done;
      const scratch = fs.mkdtempSync(`${done}.partial-`);
      try {
        runExample(scratch, env);
      } catch (e) {
        fs.rmSync(scratch, { recursive: true, force: true });
        throw e;
      }
      fs.renameSync(scratch, done);
      return done;
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

const cacheRoot = () => path.join(process.env.TMPDIR ?? '/tmp', 'reference-platform-cache');

/**
 * Fill the cache for several variants at once, each example in its own child process, so that a test file needing
 * several of them (the Kubernetes targets) uses both cores. A variant that is cached, or that another worker is
 * synthesizing (its lock exists), is left alone: writeReferencePlatform then waits for it as usual.
 */
export async function prepareReferencePlatforms(variants: readonly SynthesisOptions[]): Promise<void> {
  const dir = cacheRoot();
  fs.mkdirSync(dir, { recursive: true });
  await Promise.all(variants.map(async options => {
    const env = childEnv(options);
    const done = path.join(dir, cacheKey(env));
    if (fs.existsSync(done)) return;
    try {
      fs.mkdirSync(`${done}.lock`);
    } catch {
      return;
    }
    fs.writeFileSync(path.join(`${done}.lock`, 'pid'), String(process.pid));
    try {
      if (fs.existsSync(done)) return;
      const scratch = fs.mkdtempSync(`${done}.partial-`);
      await promisify(execFile)(process.execPath, exampleArgs(), { cwd: scratch, env, maxBuffer: 64 * 1024 * 1024 });
      fs.renameSync(scratch, done);
    } finally {
      fs.rmSync(`${done}.lock`, { recursive: true, force: true });
    }
  }));
}

/**
 * Write the reference platform's output (`dist/`, `cdktf.out/`) into the existing folder `dir`, as running
 * `examples/main.ts` there with the library's sources does. Type-checking is skipped (the example test and
 * `npx projen compile` check types); the output is the same. It comes from the content-keyed cache unless `fresh`.
 */
export function writeReferencePlatform(dir: string, options: SynthesisOptions = {}): void {
  const env = childEnv(options);
  if (options.fresh) {
    runExample(dir, env);
  } else {
    fs.cpSync(cachedOutput(env, cacheRoot()), dir, { recursive: true });
  }
}

/** writeReferencePlatform into a new folder under `$TMPDIR`, returned: the caller owns it (and may change it). */
export function synthesizeReferencePlatform(prefix: string = 'reference-', options: SynthesisOptions = {}): string {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', prefix));
  writeReferencePlatform(dir, options);
  return dir;
}

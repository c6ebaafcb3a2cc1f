import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { cacheKey, KEY_INPUTS, staleLock, synthesizeReferencePlatform } from './reference-platform';

// The shared synthesis of the reference platform is only as good as its cache key: any change to what the example
// reads must give another key, so a test can never see the output of other sources.
describe('the cache key of the shared reference platform synthesis', () => {
  const tmp = process.env.TMPDIR ?? '/tmp';
  let base: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(base, file)), { recursive: true });
    fs.writeFileSync(path.join(base, file), text);
  };
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(tmp, 'cache-key-'));
    write('src/index.ts', 'export * from \'./platform\';\n');
    write('src/platform/platform.ts', 'export const A = 1;\n');
    write('examples/main.ts', 'new Platform();\n');
    write('package-lock.json', '{}\n');
    write('tsconfig.json', '{}\n');
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  const env = { PATH: '/usr/bin', HOME: '/root' };

  test('is stable for the same tree and environment', () => {
    expect(cacheKey(env, base)).toBe(cacheKey({ ...env }, base));
    expect(cacheKey(env, base)).toMatch(/^[0-9a-f]{64}$/);
  });

  test.each([
    ['a changed source file', () => write('src/platform/platform.ts', 'export const A = 2;\n')],
    ['a new source file', () => write('src/platform/extra.ts', '\n')],
    ['a deleted source file', () => fs.rmSync(path.join(base, 'src/platform/platform.ts'))],
    ['a renamed source file', () => fs.renameSync(path.join(base, 'src/platform/platform.ts'), path.join(base, 'src/platform/other.ts'))],
    ['a changed example', () => write('examples/main.ts', 'new Platform({});\n')],
    ['another lockfile (dependency versions)', () => write('package-lock.json', '{"lockfileVersion":3}\n')],
    ['another tsconfig.json', () => write('tsconfig.json', '{"compilerOptions":{}}\n')],
    ['a changed synthesis helper', () => write('test/support/reference-platform.ts', '// changed\n')],
  ])('changes with %s', (_what, change) => {
    const before = cacheKey(env, base);
    change();
    expect(cacheKey(env, base)).not.toBe(before);
  });

  test.each([
    ['EXAMPLE_KUBERNETES_VERSION', '1.28'],
    ['INOPSIO_PREVIEWS', '[]'],
    ['INOPSIO_SHARD', '1/2'],
    ['PLATFORM_CREATED_AT', '2026-01-01T00:00:00Z'],
    ['CDKTF_OUTDIR', '/tmp/x'],
    ['TS_NODE_TRANSPILE_ONLY', 'false'],
    ['NODE_OPTIONS', '--max-old-space-size=100'],
    ['TZ', 'Asia/Tokyo'],
  ])('changes with the environment variable %s the example or the library reads', (name, value) => {
    expect(cacheKey({ ...env, [name]: value }, base)).not.toBe(cacheKey(env, base));
  });

  test('ignores the variables that cannot change the output (a jest worker id, the home folder)', () => {
    expect(cacheKey({ ...env, JEST_WORKER_ID: '2', HOME: '/home/x' }, base)).toBe(cacheKey(env, base));
  });

  test('covers the library sources, the example, the lockfile and itself', () => {
    expect(KEY_INPUTS).toEqual(expect.arrayContaining(['src', 'examples', 'package-lock.json', 'test/support/reference-platform.ts']));
  });
});

describe('the lock of a cache entry being synthesized', () => {
  const lockOf = (pid?: number) => {
    const lock = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'lock-'));
    if (pid !== undefined) fs.writeFileSync(path.join(lock, 'pid'), String(pid));
    return lock;
  };

  test('is held while its process lives', () => {
    expect(staleLock(lockOf(process.pid))).toBe(false);
  });

  test('is abandoned when its process is gone (a worker killed mid-synthesis), so the next run does not wait for it', () => {
    const gone = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
    expect(staleLock(lockOf(gone))).toBe(true);
  });

  test('is held for a moment before its holder has written its pid', () => {
    expect(staleLock(lockOf())).toBe(false);
  });
});

describe('the shared reference platform output', () => {
  test('every caller gets its own copy: deleting from one leaves the next intact', () => {
    const a = synthesizeReferencePlatform('copy-a-');
    const b = synthesizeReferencePlatform('copy-b-');
    try {
      expect(a).not.toBe(b);
      const inventory = path.join('dist', 'lifecycle.json');
      expect(fs.readFileSync(path.join(b, inventory), 'utf8')).toBe(fs.readFileSync(path.join(a, inventory), 'utf8'));
      fs.rmSync(path.join(a, 'dist'), { recursive: true });
      const c = synthesizeReferencePlatform('copy-c-');
      expect(fs.existsSync(path.join(c, inventory))).toBe(true);
      fs.rmSync(c, { recursive: true, force: true });
    } finally {
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    }
  });
});

/**
 * The reference platform (`examples/main.ts`) synthesized as `npm run example` does, into a scratch working
 * directory: `<dir>/dist/...` and `<dir>/cdktf.out/stacks/...`. For tests that hand its output to real engines.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');

/**
 * Run `examples/main.ts` with the library's sources in a new folder under `$TMPDIR` and return that folder.
 * Type-checking is skipped (the example test and `npx projen compile` check types); the output is the same.
 */
export function synthesizeReferencePlatform(prefix: string = 'reference-'): string {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', prefix));
  execFileSync(process.execPath, ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', path.join(root, 'examples', 'main.ts')], {
    cwd: dir,
    env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'examples', 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: 'pipe',
  });
  return dir;
}

/**
 * Throwaway PostgreSQL 15 cluster for tests that execute real scripts.
 *
 * - initdb runs as the `postgres` OS user (PostgreSQL refuses to run as root)
 *   into a fresh directory under $TMPDIR (chown'ed to postgres);
 * - the server listens only on a unix socket in that directory
 *   (`listen_addresses=''`, `unix_socket_directories=<dir>`), durability off;
 * - pg_hba: the `postgres` superuser is trusted on the socket (harness
 *   administration), every other role must authenticate with
 *   scram-sha-256, so scripts really have to read a password file (F9);
 * - `stop()` runs `pg_ctl stop -m fast` and removes the directory. A process
 *   exit hook stops a cluster that a crashed test run left behind.
 *
 * Works when the test runner is root (it uses `runuser -u postgres --`) and
 * when it already is the postgres user.
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

const execFileAsync = promisify(execFile);

/** Directory of the PostgreSQL 15 server binaries (Debian layout). */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PgHarness {
  /** Unix-socket directory: use as PGHOST. */
  readonly host: string;
  /** Port (part of the socket file name). */
  readonly port: number;
  /** Base directory (data dir, socket, log). */
  readonly dir: string;
  /** Environment for client programs connecting as the superuser. */
  readonly superuserEnv: NodeJS.ProcessEnv;
  /** Runs SQL as the `postgres` superuser via psql and returns trimmed, unaligned, tuples-only output. */
  psql(sql: string, db?: string): Promise<string>;
  /** Stops the server and removes the directory (idempotent). */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** @default a random port in [20000, 60000) (only names the socket file) */
  readonly port?: number;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** argv prefix that runs a command as the postgres OS user. */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  if (isRoot()) return ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
  return [cmd, args];
}

function ensureTraversable(dir: string): void {
  // The postgres user must be able to reach the data/socket directory.
  let d = path.resolve(dir);
  while (true) {
    const mode = fs.statSync(d).mode % 0o10000;
    if (mode % 2 === 0) { // no execute (search) bit for "others"
      if (!isRoot()) throw new Error(`${d} is not traversable by the postgres user`);
      fs.chmodSync(d, mode + 1);
    }
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
}

/** Starts a fresh PostgreSQL 15 cluster. Always call `stop()` (e.g. in afterAll). */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PgHarness> {
  const tmpRoot = process.env.TMPDIR ?? os.tmpdir();
  fs.mkdirSync(tmpRoot, { recursive: true });
  const dir = fs.mkdtempSync(path.join(tmpRoot, 'pg-'));
  ensureTraversable(dir);
  fs.chmodSync(dir, 0o755);
  if (isRoot()) execFileSync('chown', ['postgres:postgres', dir]);
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const port = opts.port ?? 20000 + Math.floor(Math.random() * 40000);
  let stopped = false;

  const run = async (cmd: string, args: string[]) => {
    const [c, a] = asPostgres(cmd, args);
    return execFileAsync(c, a, { cwd: dir, env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  };

  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try {
      const [c, a] = asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      execFileSync(c, a, { stdio: 'ignore', cwd: dir });
    } catch { /* not running */ }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);

  try {
    await run(path.join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    fs.appendFileSync(path.join(data, 'postgresql.conf'), [
      '',
      "listen_addresses = ''",
      `unix_socket_directories = '${dir}'`,
      `port = ${port}`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      "password_encryption = 'scram-sha-256'",
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(data, 'pg_hba.conf'), [
      '# harness administration',
      'local all postgres trust',
      '# everyone else must present a password (scripts read it from a pgpass file)',
      'local all all scram-sha-256',
      '',
    ].join('\n'));
    if (isRoot()) execFileSync('chown', ['postgres:postgres', path.join(data, 'pg_hba.conf'), path.join(data, 'postgresql.conf')]);
    await run(path.join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', logFile, '-w', '-t', '60', 'start']);
  } catch (e) {
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    stopSync();
    process.removeListener('exit', stopSync);
    throw new Error(`could not start PostgreSQL: ${(e as Error).message}\n${log}`);
  }

  const superuserEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PGHOST: dir,
    PGPORT: String(port),
    PGUSER: 'postgres',
    LC_ALL: 'C.UTF-8',
  };

  return {
    host: dir,
    port,
    dir,
    superuserEnv,
    async psql(sql: string, db = 'postgres') {
      const { stdout } = await execFileAsync('psql', ['-X', '-w', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql], { env: superuserEnv });
      return stdout.trim();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopSync);
      try {
        await run(path.join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// The consumer's first hour, end to end and literally as docs/consumers.md says: `cdktf init` of the TypeScript
// template (whatever TypeScript and Jest it brings today), the docs' `npm install` commands with the packed library,
// the docs' main.ts, `cdktf synth` with the real CLI, the template's own Jest test, and the `inopsio-env` bin from
// the installed package. The steps are read from the docs, so the docs cannot drift from what works.
//
// This is the one test that uses the network: `cdktf init` and `npm install` need the npm registry. It is not part of
// `npm test` (which stays offline); run it with `npm run test:consumer` (CI: .ci/run). Everything after the install
// (synth, tsc, jest, the bin) runs without network where `unshare -n` works (as root on Linux).
//
// Takes a few minutes (init, install, pack; more when lib/ must be compiled first).
// KEEP_CONSUMER_APP=1 keeps the app folder; CONSUMER_TEST_TARBALL=<file.tgz> tests that package instead of this checkout;
// CONSUMER_TEST_TMPDIR=<dir> chooses where the app folder goes (no node_modules or package.json may be above it).
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

const root = path.resolve(__dirname, '..', '..');
const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const CONSUMERS_MD = fs.readFileSync(path.join(root, 'docs', 'consumers.md'), 'utf8');
const README = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const ENVIRONMENTS = ['prod', 'staging'];
const TENANTS = ['acme', 'globex'];

/** The fenced blocks of a markdown text in a given language. */
function blocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp('^```' + language + '\\n([^]*?)^```$', 'gm'))].map(m => m[1]);
}

/** The shell commands of a block, continuation lines joined and comments dropped. */
function commands(block: string): string[] {
  return block.replace(/\\\n\s*/g, '').split('\n').map(l => l.replace(/\s+#.*$/, '').trim()).filter(l => l !== '' && !l.startsWith('#'));
}

/** Split a command line into words (double quotes only, as the docs write them). */
function words(line: string): string[] {
  return (line.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []).map(w => w.replace(/"/g, ''));
}

/** docs/consumers.md, step 1: the `cdktf init` command. */
const INIT = commands(blocks(CONSUMERS_MD, 'sh')[0]).find(c => / init /.test(c))!;
/** docs/consumers.md, step 2: the `npm install` commands. */
const INSTALLS = commands(blocks(CONSUMERS_MD, 'sh')[1]).filter(c => c.startsWith('npm install'));
/** docs/consumers.md, step 3: main.ts. */
const MAIN_TS = blocks(CONSUMERS_MD, 'ts')[0];
const BACKUP_IMAGE = /fromDigest\('([^']+)'\)/.exec(MAIN_TS)![1];

/** A unit-test style use of the testing helpers, run with ts-node from the app (the helpers as published). */
const SNAPSHOT_TS = `import { App } from "cdktf";
import { Environment, EnvironmentClass, Platform, PlatformTesting } from "@inopsio/env-lifecycle";

const platform = new Platform(new App(), "platform", {
  environments: [new Environment({ name: "dev", environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: "2026-11-28T09:00:00Z", tenants: [{ id: "acme" }] })],
  github: { owner: "inopsio", repository: "platform", firstApprovers: { teams: ["platform-leads"] }, secondApprovers: { teams: ["security"] } },
});
const snapshot = PlatformTesting.synth(platform);
console.log(JSON.stringify({
  stacks: snapshot.stacks,
  acme: snapshot.manifestsOfTenant("dev", "acme").map(m => \`\${m.kind}/\${m.name}\`),
  releases: snapshot.terraformResources("dev", "helm_release").map(r => JSON.parse(r.toJson()).name),
  inventory: JSON.parse(snapshot.inventory()).environments.map((e: { name: string }) => e.name),
}));
`;

// ---------------------------------------------------------------------------------------------------------------
// Running commands with their output kept for the failure message.

interface Run {
  readonly command: string;
  readonly cwd: string;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

function tail(text: string, lines = 60): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? [`... (${all.length - lines} lines before)`, ...all.slice(-lines)] : all).join('\n');
}

function describeRun(r: Run): string {
  return `$ ${r.command}\n  (in ${r.cwd}, exit ${r.status}, ${r.seconds.toFixed(1)} s)\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr)}`;
}

/** Whether `unshare -n` gives a network namespace without network here (root on Linux). */
function canIsolateNetwork(): boolean {
  if (process.env.CONSUMER_TEST_NO_UNSHARE === '1') return false;
  const r = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
  return r.status === 0;
}
const ISOLATED = canIsolateNetwork();

/** A closed local port: anything that would use the network through a proxy fails at once. */
const NO_PROXY_PORT = 'http://127.0.0.1:9';

/** The environment of every command: no cdktf telemetry, crash reports or version checks; npm offline unless `online`. */
function commandEnv(app: string, online = false): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Nothing of this project's own setup may leak into the app: module paths, ts-node and cdktf settings, and the
    // npm_config_* that `npm test`/`npx` set for their children (local_prefix points at this project; `call` would
    // make every npx in the app run something else). Only where npm's cache, registry and CA are stay.
    if (/^(NODE_PATH|NODE_OPTIONS|TS_NODE_.*|CDKTF_.*|SENTRY_DSN|npm_package_.*|npm_lifecycle_.*|npm_command|npm_execpath|npm_node_execpath|INIT_CWD)$/.test(k)) continue;
    if (/^npm_config_/i.test(k) && !/^npm_config_(cache|userconfig|globalconfig|registry|cafile|ca|strict_ssl|@[^:]+:registry)$/i.test(k)) continue;
    env[k] = v;
  }
  const quiet = {
    ...env,
    CI: 'true',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    CHECKPOINT_DISABLE: '1', // cdktf and Terraform telemetry (checkpoint-api.hashicorp.com)
    DISABLE_VERSION_CHECK: 'true', // cdktf's `npm view cdktf-cli version`
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true', // no ~/.terraform.d/plugin-cache
    CDKTF_HOME: path.join(app, '.cdktf-home'), // no ~/.cdktf
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  if (online) {
    // `cdktf init` reads CDKTF_* variables as options and refuses unknown ones (CDKTF_HOME would be `--home`).
    const { CDKTF_HOME: _home, ...initEnv } = quiet;
    return initEnv;
  }
  return {
    ...quiet,
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_proxy: NO_PROXY_PORT,
    npm_config_https_proxy: NO_PROXY_PORT,
    HTTP_PROXY: NO_PROXY_PORT,
    HTTPS_PROXY: NO_PROXY_PORT,
    http_proxy: NO_PROXY_PORT,
    https_proxy: NO_PROXY_PORT,
  };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, options: { isolate?: boolean; timeoutSeconds?: number } = {}): Run {
  const [file, argv] = options.isolate && ISOLATED ? ['unshare', ['-n', cmd, ...args]] : [cmd, args];
  const started = Date.now();
  const r: SpawnSyncReturns<string> = spawnSync(file, argv, {
    cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: (options.timeoutSeconds ?? 240) * 1000,
  });
  return {
    command: [file, ...argv].join(' '),
    cwd,
    status: r.status,
    stdout: r.stdout ?? '',
    stderr: `${r.stderr ?? ''}${r.error ? `\n(spawn error: ${r.error.message})` : ''}`,
    seconds: (Date.now() - started) / 1000,
  };
}

function mustSucceed(what: string, r: Run): Run {
  if (r.status !== 0) throw new Error(`${what} failed:\n${describeRun(r)}`);
  return r;
}

// ---------------------------------------------------------------------------------------------------------------
// The library, compiled and packed.

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function mtime(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;
}

/** Compile with jsii unless lib/ and .jsii are newer than every source file; returns what it did. */
function ensureCompiled(): string {
  const sources = Math.max(newestMtime(path.join(root, 'src')), mtime(path.join(root, 'package.json')));
  const built = Math.min(mtime(path.join(root, '.jsii')), mtime(path.join(root, 'lib', 'index.js')));
  if (built >= sources) return 'reused lib/ (newer than src/)';
  const r = run('npx', ['jsii', '--silence-warnings=reserved-word'], root, { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' }, { timeoutSeconds: 420 });
  mustSucceed('Compiling the library with jsii (lib/ was older than src/)', r);
  return `compiled with jsii in ${r.seconds.toFixed(0)} s`;
}

/** The package tarball in `dir`: dist/js/*.tgz if newer than lib/, else `npm pack` of the project. */
function packLibrary(dir: string): { file: string; how: string } {
  const jsDist = path.join(root, 'dist', 'js');
  const fresh = fs.existsSync(jsDist)
    ? fs.readdirSync(jsDist).filter(f => f.endsWith('.tgz')).map(f => path.join(jsDist, f)).filter(f => mtime(f) >= mtime(path.join(root, '.jsii')))
    : [];
  if (fresh.length === 1) {
    const file = path.join(dir, 'inopsio-env-lifecycle.tgz');
    fs.copyFileSync(fresh[0], file);
    return { file, how: `reused ${path.relative(root, fresh[0])}` };
  }
  const r = mustSucceed('npm pack', run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root, process.env));
  const [packed] = JSON.parse(r.stdout);
  return { file: path.join(dir, packed.filename), how: `npm pack (${packed.entryCount} files, ${Math.round(packed.size / 1024)} KiB)` };
}

// ---------------------------------------------------------------------------------------------------------------
// The app.

/**
 * A folder for the app with no node_modules (and no package.json) in any parent folder, so that Node can only
 * resolve what the app installed (TMPDIR of the tests is inside this project, which has both).
 */
function appBase(): string {
  const candidates = [process.env.CONSUMER_TEST_TMPDIR, os.tmpdir(), '/tmp', '/var/tmp'].filter((d): d is string => !!d && fs.existsSync(d));
  for (const candidate of candidates) {
    const real = fs.realpathSync(candidate);
    let dir = real;
    let clean = true;
    for (;;) {
      if (fs.existsSync(path.join(dir, 'node_modules')) || fs.existsSync(path.join(dir, 'package.json'))) clean = false;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    if (clean) return real;
  }
  throw new Error(`no temporary folder without node_modules or package.json above it among ${candidates.join(', ')}; set CONSUMER_TEST_TMPDIR`);
}

// ---------------------------------------------------------------------------------------------------------------

function yamlDocuments(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'), { version: '1.1' }).map(d => d.toJS()).filter(d => d);
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

describe('a fresh cdktf TypeScript app that installs the packed library', () => {
  const keep = process.env.KEEP_CONSUMER_APP === '1';
  let app = '';
  let env: NodeJS.ProcessEnv = {};
  const steps: string[] = [];
  let synth: Run;
  let templateTypescript = '';
  let work = '';
  const context = () => `app folder: ${app}${keep ? ' (kept)' : ' (set KEEP_CONSUMER_APP=1 to keep it)'}\nsteps: ${steps.join('; ')}`;

  beforeAll(() => {
    const started = Date.now();
    // The package next to the app: `cdktf init` wants an empty folder.
    work = fs.mkdtempSync(path.join(appBase(), 'inopsio-consumer-'));
    app = path.join(work, 'platform');
    fs.mkdirSync(app);
    env = commandEnv(app);
    steps.push(`network after the install: ${ISOLATED ? 'none (unshare -n)' : `npm offline, proxies at ${NO_PROXY_PORT}`}`);
    let file: string;
    if (process.env.CONSUMER_TEST_TARBALL) {
      // A given package instead of this checkout's (a release candidate, a CI artifact).
      file = path.join(work, 'inopsio-env-lifecycle.tgz');
      fs.copyFileSync(process.env.CONSUMER_TEST_TARBALL, file);
      steps.push(`CONSUMER_TEST_TARBALL=${process.env.CONSUMER_TEST_TARBALL}`);
    } else {
      steps.push(ensureCompiled());
      const packed = packLibrary(work);
      file = packed.file;
      steps.push(packed.how);
    }
    const online = commandEnv(app, true);
    // Step 1: `cdktf init`, non-interactive (stdin is not a terminal: the crash-report prompt would abort it).
    const [initCmd, ...initArgs] = words(INIT);
    const init = mustSucceed('`cdktf init` as docs/consumers.md step 1 says', run(initCmd, initArgs, app, online, { timeoutSeconds: 480 }));
    steps.push(`cdktf init ${init.seconds.toFixed(0)} s`);
    templateTypescript = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8')).devDependencies.typescript;
    // Step 2: the docs' npm install commands, the packed library in place of its registry name.
    for (const line of INSTALLS) {
      const [cmd, ...args] = words(line).map(w => (w === rootPackage.name ? file : w));
      const r = mustSucceed(`\`${line}\` as docs/consumers.md step 2 says`, run(cmd, args, app, online, { timeoutSeconds: 480 }));
      steps.push(`${args.slice(0, 2).join(' ')} ${r.seconds.toFixed(0)} s`);
    }
    // Step 3: main.ts as the docs write it, and a testing-helpers script.
    fs.writeFileSync(path.join(app, 'main.ts'), MAIN_TS);
    fs.writeFileSync(path.join(app, 'snapshot.ts'), SNAPSHOT_TS);

    synth = mustSucceed('`npx cdktf synth`', run('npx', ['cdktf', 'synth'], app, env, { isolate: true }));
    steps.push(`cdktf synth ${synth.seconds.toFixed(0)} s`);
    steps.push(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }, 600_000);

  afterAll(() => {
    // One line for the CI log: what was reused or compiled, how long each step took, where the app was.
    console.log(context());
    if (work && !keep) fs.rmSync(work, { recursive: true, force: true });
  });

  const at = (...parts: string[]) => path.join(app, ...parts);

  test('the docs give the steps this test runs, and README.md the same install commands', () => {
    expect(INIT).toMatch(/^npx cdktf-cli@\S+ init --template=typescript --local .*--enable-crash-reporting=false/);
    expect(INIT).toContain(`cdktf-cli@${rootPackage.devDependencies['cdktf-cli']} `);
    expect(INSTALLS.some(c => c.includes(rootPackage.name))).toBe(true);
    // The template's TypeScript may be one ts-jest and ts-node do not support: the docs pin one that they do.
    expect(INSTALLS.some(c => /^npm install -D .*typescript@~5\.9/.test(c))).toBe(true);
    const readmeInstalls = blocks(README, 'sh').flatMap(commands).filter(c => c.startsWith('npm install'));
    expect(readmeInstalls).toEqual(INSTALLS);
    expect(README).toContain(INIT);
    expect(MAIN_TS).toMatch(/^\/\/ main\.ts\n/);
    expect(README).toContain(MAIN_TS);
  });

  test('`cdktf init` made the app, and the real cdktf CLI synthesized it', () => {
    const cdktfJson = readJson(at('cdktf.json'));
    expect(cdktfJson).toMatchObject({ language: 'typescript', app: 'npx ts-node main.ts', terraformProviders: [], terraformModules: [], sendCrashReports: 'false' });
    expect(templateTypescript).not.toBe('');
    expect(readJson(at('node_modules', 'typescript', 'package.json')).version).toMatch(/^5\.9\./);
    expect(readJson(at('package.json')).scripts).toMatchObject({ synth: 'cdktf synth', get: 'cdktf get', build: 'tsc' });
    expect(readJson(at('node_modules', 'cdktf-cli', 'package.json')).version).toBe(rootPackage.devDependencies['cdktf-cli']);
    expect(`${synth.stdout}${synth.stderr}`).toMatch(/Generated Terraform code for the stacks: (github-environments, )?prod, staging/);
    // No provider bindings were generated or downloaded: the prebuilt providers are npm packages.
    expect(fs.existsSync(at('.gen'))).toBe(false);
    expect(fs.existsSync(at('.terraform'))).toBe(false);
  });

  test('the installed library is the packed one: compiled JavaScript, no sources, bundled dependencies inside', () => {
    const lib = at('node_modules', '@inopsio', 'env-lifecycle');
    expect(readJson(path.join(lib, 'package.json'))).toMatchObject({ name: rootPackage.name, version: rootPackage.version, main: 'lib/index.js' });
    expect(fs.existsSync(path.join(lib, 'lib', 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(lib, 'lib', 'index.d.ts'))).toBe(true);
    expect(fs.existsSync(path.join(lib, '.jsii'))).toBe(true);
    expect(fs.existsSync(path.join(lib, 'src'))).toBe(false);
    expect(fs.existsSync(path.join(lib, 'test'))).toBe(false);
    expect(fs.existsSync(path.join(lib, 'node_modules', '@grafana', 'grafana-foundation-sdk', 'package.json'))).toBe(true);
    // Resolution from the app stays inside the app.
    const resolved = run(process.execPath, ['-p', 'require.resolve("@inopsio/env-lifecycle") + "\\n" + require.resolve("cdktf") + "\\n" + require.resolve("cdk8s")'], app, env);
    mustSucceed('require.resolve in the app', resolved);
    for (const line of resolved.stdout.trim().split('\n')) expect(line.startsWith(`${fs.realpathSync(app)}/node_modules/`)).toBe(true);
  });

  test('main.ts type-checks against the published typings (tsc with the template\'s tsconfig)', () => {
    const r = run('npx', ['tsc', '--noEmit', '--incremental', 'false', '-p', '.'], app, env, { isolate: true });
    expect(`${r.status}\n${r.stdout}${r.stderr}`).toBe('0\n');
  });

  test.each(ENVIRONMENTS)('cdktf.out/stacks/%s/cdk.tf.json: Terraform Cloud backend, providers, Vault and tenant releases', name => {
    const stacks = readJson(at('cdktf.out', 'manifest.json')).stacks;
    // One stack per environment, and the GitHub environments of the workflows (issue 23).
    expect(Object.keys(stacks).sort()).toEqual(['github-environments', ...ENVIRONMENTS].sort());
    const tf = readJson(at('cdktf.out', 'stacks', name, 'cdk.tf.json'));
    expect(tf.terraform.cloud).toEqual({ organization: 'inopsio', workspaces: { name: `inopsio-${name}` } });
    expect(Object.keys(tf.terraform.required_providers).sort()).toEqual(['helm', 'postgresql', 'vault']);
    expect(Object.keys(tf.provider).sort()).toEqual(['helm', 'postgresql', 'vault']);
    const releases = Object.values<any>(tf.resource.helm_release).map(r => r.name).sort();
    expect(releases).toEqual(['acme-base', 'globex-base', `${name}-platform`]);
    for (const r of Object.values<any>(tf.resource.helm_release)) {
      expect(fs.existsSync(at('cdktf.out', 'stacks', name, r.chart, 'Chart.yaml'))).toBe(true);
    }
    expect(Object.keys(tf.resource)).toEqual(expect.arrayContaining(['vault_mount', 'vault_policy', 'vault_auth_backend']));
    expect(Object.keys(tf.variable)).toEqual(expect.arrayContaining(['vault_address', 'kube_context']));
  });

  test.each(ENVIRONMENTS)('dist/k8s/%s: one file per tenant plus the environment-wide one, the tenant charts alongside', name => {
    expect(fs.readdirSync(at('dist', 'k8s', name)).sort()).toEqual(['acme.k8s.yaml', 'globex.k8s.yaml', 'platform.k8s.yaml']);
    for (const tenant of TENANTS) {
      const docs = yamlDocuments(at('dist', 'k8s', name, `${tenant}.k8s.yaml`));
      const ns = docs.find(d => d.kind === 'Namespace');
      expect(ns.metadata.name).toBe(`${name}-${tenant}`);
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(docs.filter(d => d.kind === 'NetworkPolicy').map(d => d.metadata.name)).toContain('default-deny');
      const backup = docs.find(d => d.kind === 'CronJob' && d.metadata.name === `backup-${tenant}`);
      expect(backup.spec.jobTemplate.spec.template.spec.containers[0].image).toBe(BACKUP_IMAGE);
      const chart = at('dist', 'charts', name, tenant);
      expect(fs.existsSync(path.join(chart, 'Chart.yaml'))).toBe(true);
      expect(fs.readFileSync(path.join(chart, 'manifests', 'tenant.yaml'), 'utf8')).toBe(fs.readFileSync(at('dist', 'k8s', name, `${tenant}.k8s.yaml`), 'utf8'));
    }
    expect(yamlDocuments(at('dist', 'k8s', name, 'platform.k8s.yaml')).map(d => d.kind)).toEqual(expect.arrayContaining(['PodMonitor', 'PrometheusRule', 'ConfigMap']));
  });

  test('dist/lifecycle.json and dist/workflows are written next to the manifests', () => {
    expect(readJson(at('dist', 'lifecycle.json')).environments.map((e: any) => e.name).sort()).toEqual(ENVIRONMENTS);
    expect(fs.readdirSync(at('dist', 'workflows')).sort()).toEqual(expect.arrayContaining(['cleanup-env.yml', 'decommission.yml', 'preview.yml']));
  });

  test('`npx inopsio-env` runs from the installed package, on the app\'s own inventory', () => {
    const help = run('npx', ['inopsio-env', '--help'], app, env, { isolate: true });
    expect(`${help.status}`).toBe('0');
    expect(help.stdout).toContain('usage: inopsio-env <command> [options]');
    const expired = run('npx', ['inopsio-env', 'expired', '--inventory', 'dist/lifecycle.json', '--at', '2030-01-01T00:00:00Z', '--json'], app, env, { isolate: true });
    expect(`${expired.status}\n${expired.stdout}`).toBe('0\n[]\n'); // staging and production never expire
    const wrong = run('npx', ['inopsio-env', 'expired'], app, env, { isolate: true });
    expect(wrong.status).toBe(2);
  });

  test('PlatformTesting works from the installed package and leaves the app\'s output alone', () => {
    const listing = () => [...fs.readdirSync(at('dist', 'k8s')), ...fs.readdirSync(at('cdktf.out', 'stacks'))].sort();
    const before = listing();
    const r = run('npx', ['ts-node', 'snapshot.ts'], app, env, { isolate: true });
    if (r.status !== 0 && /PlatformTesting/.test(r.stderr)) {
      throw new Error(`the package does not export PlatformTesting (add \`export * from './testing';\` to src/index.ts):\n${describeRun(r)}`);
    }
    mustSucceed('`npx ts-node snapshot.ts`', r);
    const out = JSON.parse(r.stdout);
    expect(out.stacks).toEqual(['dev', 'github-environments']);
    expect(out.acme).toEqual(expect.arrayContaining(['Namespace/dev-acme', 'NetworkPolicy/default-deny']));
    expect(out.acme.some((a: string) => a.startsWith('ResourceQuota/'))).toBe(true);
    expect(out.releases).toEqual(['dev-platform', 'acme-base']);
    expect(out.inventory).toEqual(['dev']);
    expect(listing()).toEqual(before);
  });

  test('the template\'s own Jest test runs (ts-jest with the pinned TypeScript)', () => {
    const r = run('npx', ['jest', '--ci'], app, env, { isolate: true });
    expect(`${r.status}`).toBe('0');
    expect(`${r.stdout}${r.stderr}`).toMatch(/Test Suites: 1 passed/);
  });

  test('a failed synth prints each problem once, fails, and leaves the output as it was but for the manifest', () => {
    const listing = () => {
      const out: string[] = [];
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else out.push(`${path.relative(app, p)} ${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`);
        }
      };
      walk(at('dist'));
      walk(at('cdktf.out'));
      return out.sort();
    };
    const before = listing();
    // main.ts reads the previews from INOPSIO_PREVIEWS: an entry without owner and createdAt is a model mistake.
    const r = run('npx', ['cdktf', 'synth'], app, { ...env, INOPSIO_PREVIEWS: '[{"branch":"feature/x"}]' }, { isolate: true });
    const output = `${r.stdout}${r.stderr}`;
    expect(r.status).not.toBe(0);
    const problem = 'needs string fields branch, owner and createdAt';
    expect(output.split(problem).length - 1).toBe(1);
    expect(output).toMatch(/ERROR \[INOPSIO_PREVIEWS\]: \[0\] needs string fields branch, owner and createdAt/);
    expect(listing().filter(f => !before.includes(f)).map(f => f.split(' ')[0])).toEqual([path.join('cdktf.out', 'manifest.json')]);
    expect(before.filter(f => !listing().includes(f)).map(f => f.split(' ')[0])).toEqual([path.join('cdktf.out', 'manifest.json')]);
  });

  test('after the install, nothing could reach the network', () => {
    if (!ISOLATED) {
      // Without a network namespace the commands still ran with npm offline and every proxy at a closed port.
      expect(env.npm_config_offline).toBe('true');
      return;
    }
    const probe = run(process.execPath, ['-e', 'require("dns").lookup("registry.npmjs.org", e => { console.log(e ? "no network" : "network"); })'], app, env, { isolate: true });
    expect(probe.stdout.trim()).toBe('no network');
  });
});

/**
 * Real Terraform on synthesized stacks (ENGINES.md), without providers and without the network.
 *
 * No provider can be downloaded here, so `validate` and `plan` are out of reach. What Terraform does without
 * providers still catches what it would refuse first in CI:
 *
 * - `terraform providers` on a copy of the stack without its `cloud`/`backend` block (which would otherwise stop it at
 *   "HCP Terraform initialization required"): Terraform loads and decodes the whole configuration — every variable,
 *   validation, lifecycle block, reference syntax and `required_version` — and must succeed;
 * - `terraform init -backend=false` on the stack as written, with no CLI configuration (`TF_CLI_CONFIG_FILE=/dev/null`):
 *   it must fail for no reason other than the unreachable provider registry ("Failed to query available provider
 *   packages ... could not connect to registry.terraform.io"), for every provider the configuration needs. Any other
 *   error is a problem. (Where the registry is reachable, init installs the providers and succeeds: that is clean too.)
 *
 * `terraform` must be on the PATH (or `TERRAFORM_BIN`): without it `terraformVersion()` throws, so tests fail, never skip.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The Terraform binary the tests run. */
export const TERRAFORM = process.env.TERRAFORM_BIN ?? 'terraform';
/** The oldest Terraform the stacks accept (`required_version`); CI runs 1.11.4. */
export const MIN_TERRAFORM = [1, 11, 0] as const;

const MISSING = `${TERRAFORM} is not on the PATH: install Terraform 1.11.x (.ci/run checks it); the engine tests never skip`;

/** Terraform's version (`1.11.4`); throws with a clear message when the binary is missing or too old. */
export function terraformVersion(): string {
  let out: string;
  try {
    out = execFileSync(TERRAFORM, ['version', '-json'], { env: terraformEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    throw new Error(e?.code === 'ENOENT' ? MISSING : `${TERRAFORM} version failed: ${e?.message}`);
  }
  const version = String(JSON.parse(out).terraform_version ?? '');
  const parts = version.split('.').map(Number);
  const tooOld = parts.length < 3 || parts.some(n => !Number.isInteger(n))
    || parts[0] * 1e6 + parts[1] * 1e3 + parts[2] < MIN_TERRAFORM[0] * 1e6 + MIN_TERRAFORM[1] * 1e3 + MIN_TERRAFORM[2];
  if (tooOld) throw new Error(`${TERRAFORM} is version ${version}; the stacks need >= ${MIN_TERRAFORM.join('.')} (install 1.11.x)`);
  return version;
}

/** The environment Terraform runs with: no user CLI config, no checkpoint calls, none of the caller's TF_* settings. */
function terraformEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TF_')) env[k] = v;
  return { ...env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
}

/** What Terraform said about one stack. */
export interface TerraformStackCheck {
  /** The stack folder checked. */
  readonly stack: string;
  /** Providers `terraform providers` listed (`registry.terraform.io/hashicorp/vault`), sorted. */
  readonly providers: string[];
  /** Everything wrong, one line each (empty: Terraform accepts the stack as far as it can without providers). */
  readonly problems: string[];
}

interface Run {
  readonly status: number | null;
  readonly output: string;
}

function run(args: string[], cwd: string): Run {
  const r = spawnSync(TERRAFORM, args, { cwd, env: terraformEnv(), encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw new Error((r.error as any).code === 'ENOENT' ? MISSING : `${TERRAFORM} ${args.join(' ')}: ${r.error.message}`);
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** The `Error: <summary>` lines of Terraform's output, each with the text up to the next error. */
export function terraformErrors(output: string): Array<{ summary: string; detail: string }> {
  const blocks = output.split(/^(?:│ )?Error: /m).slice(1);
  return blocks.map(b => {
    const [first, ...rest] = b.split('\n');
    return { summary: first.trim(), detail: rest.join('\n').replace(/\s+/g, ' ').trim() };
  });
}

/** Copy a stack folder (cdk.tf.json and assets/) into `to`; `edit` may change the parsed cdk.tf.json first. */
function copyStack(stackDir: string, to: string, edit?: (json: any) => void): void {
  fs.cpSync(stackDir, to, { recursive: true });
  if (edit) {
    const file = path.join(to, 'cdk.tf.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    edit(json);
    fs.writeFileSync(file, JSON.stringify(json, undefined, 2));
  }
}

/**
 * Run Terraform on the stack in `stackDir` (a `cdktf.out/stacks/<name>` folder) in scratch copies under `workDir`.
 * The stack folder itself is never written to.
 */
export function checkTerraformStack(stackDir: string, workDir: string): TerraformStackCheck {
  const name = path.basename(stackDir);
  const problems: string[] = [];
  const at = (what: string) => `${name}: ${what}`;
  if (!fs.existsSync(path.join(stackDir, 'cdk.tf.json'))) {
    return { stack: name, providers: [], problems: [at(`no cdk.tf.json in ${stackDir}`)] };
  }
  fs.mkdirSync(workDir, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(workDir, `${name}-`));

  // 1. The whole configuration loads (no cloud/backend block: those want an initialized working directory).
  const loaded = path.join(scratch, 'loaded');
  copyStack(stackDir, loaded, json => {
    delete json.terraform?.cloud;
    delete json.terraform?.backend;
  });
  const providers = run(['providers', '-no-color'], loaded);
  const listed = [...providers.output.matchAll(/provider\[([^\]]+)\]/g)].map(m => m[1]).sort();
  if (providers.status !== 0) {
    for (const e of terraformErrors(providers.output)) problems.push(at(`terraform providers: ${e.summary}: ${e.detail}`));
    if (terraformErrors(providers.output).length === 0) problems.push(at(`terraform providers exited ${providers.status}: ${providers.output.trim()}`));
  } else if (listed.length === 0) {
    problems.push(at(`terraform providers listed no provider: ${providers.output.trim()}`));
  }

  // 2. init on the stack as written fails only because the provider registry is unreachable.
  const asWritten = path.join(scratch, 'as-written');
  copyStack(stackDir, asWritten);
  const init = run(['init', '-backend=false', '-input=false', '-no-color'], asWritten);
  const errors = terraformErrors(init.output);
  if (init.status !== 0 && errors.length === 0) {
    problems.push(at(`terraform init exited ${init.status} without an error message: ${init.output.trim()}`));
  }
  const unreachable = new Set<string>();
  for (const e of errors) {
    const m = /available versions for provider (\S+?): could not connect to registry\.terraform\.io/.exec(e.detail);
    if (e.summary === 'Failed to query available provider packages' && m) unreachable.add(`registry.terraform.io/${m[1]}`);
    else problems.push(at(`terraform init: ${e.summary}: ${e.detail}`));
  }
  // Every provider the configuration needs was looked up, i.e. init got as far as provider installation. Built-in
  // providers (`terraform.io/builtin/terraform`, whose `terraform_remote_state` reads another stack's outputs) come
  // with Terraform: there is nothing to look up.
  if (init.status !== 0 && problems.length === 0) {
    for (const p of listed) if (!unreachable.has(p) && !p.startsWith('terraform.io/builtin/')) problems.push(at(`terraform init never looked up provider ${p}`));
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  return { stack: name, providers: [...new Set(listed)], problems };
}

/** Check every stack folder under `stacksDir` (`cdktf.out/stacks`), in name order. */
export function checkTerraformStacks(stacksDir: string, workDir: string): TerraformStackCheck[] {
  return fs.readdirSync(stacksDir, { withFileTypes: true })
    .filter(e => e.isDirectory())
    .map(e => e.name)
    .sort()
    .map(s => checkTerraformStack(path.join(stacksDir, s), workDir));
}

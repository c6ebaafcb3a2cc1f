import * as fs from 'fs';
import * as path from 'path';
import {
  decommissionTargets, DecommissionStepId, DecommissionTargetKind, planDecommission, renderDecommissionPlan,
  renderDecommissionScript,
} from './decommission';
import { expiredEnvironments, readInventory } from './inventory';
import { previewNames } from './previews';
import {
  applySignup, emptyTenantRegistry, readJson, readTenantRegistry, removeTenant, TenantSignup, validateSignup, writeTenantRegistry,
} from './tenant-registry';
import { changeTenantState } from './tenant-state';
import { TenantLifecycleState } from './transitions';
import { DECOMMISSION_OVERRIDE_FILE, writeUnprotectOverride } from './unprotect';
import { LifecycleKind } from '../model/environment-class';
import { isIsoInstant } from '../model/period';
import { LifecycleValidationError } from '../model/problems';
import { OutputLayout } from '../output/layout';
import { inventoryFileOf } from '../output/tree';

/** Where the CLI writes: anything with `write(text)`, such as `process.stdout`. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Exit codes of `inopsio-env`. */
export const EXIT = Object.freeze({
  OK: 0,
  /** Something failed while running (a file could not be written, an unexpected error). */
  FAILURE: 1,
  /** The request was wrong: bad arguments, unknown environment or tenant, unreadable or invalid input. */
  USAGE: 2,
  /** The request was understood and refused: a transition the state machine refuses, or a blocked decommission plan. */
  REFUSED: 3,
});

const PROGRAM = 'inopsio-env';

/** Targets only a tenant's plan has: a whole environment's are removed by terraform destroy of its stacks. */
const TENANT_ONLY_TARGETS: readonly string[] = [
  DecommissionTargetKind.NAMESPACES, DecommissionTargetKind.HELM_RELEASES, DecommissionTargetKind.ARGOCD_APPLICATIONS,
  DecommissionTargetKind.TENANT_STACKS,
];

/** A mistake in how the CLI was called: exit code 2, with the command's usage. */
class UsageError extends Error {
  constructor(message: string, public readonly command?: string) {
    super(message);
  }
}

interface CommandSpec {
  readonly summary: string;
  readonly usage: string;
  readonly details: string;
  readonly flags: { [name: string]: 'string' | 'boolean' };
  readonly positionals: readonly string[];
  readonly required: number;
  readonly run: (args: ParsedArgs, io: CliIo) => number;
}

interface ParsedArgs {
  readonly flags: Map<string, string | true>;
  readonly positionals: string[];
}

const COMMANDS: { [name: string]: CommandSpec } = {
  'expired': {
    summary: 'List the environments that have expired at a given time',
    usage: 'expired [--inventory <file> | --out <dir>] --at <ISO-8601 UTC time> [--lifecycle <kind>] [--json]',
    details: [
      'Lists every environment of the inventory whose expiresAt is at or before --at, soonest first, one per line:',
      '  <name> <TAB> <expiresAt> <TAB> <lifecycle> <TAB> <organization>/<workspace>',
      'Nothing expired prints nothing (exit 0). --lifecycle keeps one of: reusable, persistent, permanent, ephemeral.',
      '--json prints a JSON array of { name, lifecycle, expiresAt, organization, workspace, stackDirectory, owner, sourceBranch }.',
    ].join('\n'),
    flags: { inventory: 'string', out: 'string', at: 'string', lifecycle: 'string', json: 'boolean' },
    positionals: [],
    required: 0,
    run: runExpired,
  },
  'plan-decommission': {
    summary: 'Print the ordered decommission steps of an environment or a tenant',
    usage: 'plan-decommission [--inventory <file> | --out <dir>] [--format text|json|sh] [--step <id>[,<id>...]] [--targets <kind>] <environment> [<tenant>]',
    details: [
      'Steps, in the only allowed order (V13): final-backup, verify-backup, revoke-leases, disable-roles, destroy (and forget for a',
      'tenant), with the exact commands and the approvals required. A tenant must be archived first, and so must every tenant',
      'of a permanent (production) environment before the environment is: a blocked plan is printed and exits 3.',
      '--format sh prints a bash script (optionally only the --step ids); destroy steps refuse to run unless',
      'INOPSIO_CONFIRM equals the target (<environment> or <environment>/<tenant>).',
      `--targets prints one kind of target per line for shell loops: ${Object.values(DecommissionTargetKind).join(', ')}.`,
      'For a whole environment, namespaces, helm-releases and argocd-applications are empty (terraform destroy of its stacks',
      'removes them): the command says so on stderr and exits 0.',
    ].join('\n'),
    flags: { inventory: 'string', out: 'string', format: 'string', step: 'string', targets: 'string' },
    positionals: ['environment', 'tenant'],
    required: 1,
    run: runPlan,
  },
  'preview-name': {
    summary: 'Print the environment name and Terraform workspace of a branch\'s preview',
    usage: 'preview-name --branch <branch> [--json]',
    details: [
      'Uses the same slugify as Environment.preview(), so workflows and the platform always agree. Prints',
      '  name=preview-<slug>\n  slug=<slug>\n  workspace=inopsio-preview-<slug>',
      'as key=value lines (ready for $GITHUB_OUTPUT), or one JSON object with --json.',
    ].join('\n'),
    flags: { branch: 'string', json: 'boolean' },
    positionals: [],
    required: 0,
    run: runPreviewName,
  },
  'tenant-signup': {
    summary: 'Validate a tenant sign-up payload and add the tenant to its environment\'s registry',
    usage: 'tenant-signup --payload <file> --registry-dir <dir>',
    details: [
      'Validates the payload against schemas/tenant-signup.schema.json and the tenant model (B01), then adds the tenant to',
      '<dir>/<environment>.json (create it once with registry-init). A redelivered identical sign-up changes nothing. Prints',
      '  outcome=added|already-registered\n  environment=<env>\n  tenant=<id>\n  registry=<file>',
    ].join('\n'),
    flags: { 'payload': 'string', 'registry-dir': 'string' },
    positionals: [],
    required: 0,
    run: runSignup,
  },
  'registry-init': {
    summary: 'Create an empty tenant registry for an environment',
    usage: 'registry-init --registry-dir <dir> <environment>',
    details: [
      'Writes <dir>/<environment>.json with no tenants and an empty module catalog; add the modules sign-ups may pick to its',
      '"modules" (and "defaultModules"). Refuses to overwrite an existing registry. Prints registry=<file>.',
    ].join('\n'),
    flags: { 'registry-dir': 'string' },
    positionals: ['environment'],
    required: 1,
    run: runRegistryInit,
  },
  'tenant-remove': {
    summary: 'Remove a decommissioned tenant from a registry',
    usage: 'tenant-remove --registry <file> <tenant>',
    details: 'Removes the tenant from the registry file (the last step of a tenant\'s decommissioning). Prints removed=<tenant>.',
    flags: { registry: 'string' },
    positionals: ['tenant'],
    required: 1,
    run: runRemove,
  },
  'prerequisites': {
    summary: 'List what an environment\'s output assumes exists before it is applied',
    usage: 'prerequisites [--inventory <file> | --out <dir>] [--json] <environment>',
    details: [
      'Prints the prerequisites lifecycle.json lists for the environment (read from the output by Platform.synth()), one per line:',
      '  <kind> <TAB> <name> <TAB> <scope> <TAB> <needed by, comma-separated>',
      'kinds: configmap, secret (declared by generated pods, lifecycle.inopsio.io/prerequisites), terraform-variable (stack',
      'variables without a default), github-secret (read by workflow jobs, under their GitHub environment), vault-jwt-role (the',
      'CI\'s Vault login). --json prints the JSON array. An inventory without prerequisites (buildInventory alone) is a usage error.',
    ].join('\n'),
    flags: { inventory: 'string', out: 'string', json: 'boolean' },
    positionals: ['environment'],
    required: 1,
    run: runPrerequisites,
  },
  'unprotect': {
    summary: 'Lift prevent_destroy from a permanent environment\'s stack (the decommission workflow only)',
    usage: 'unprotect --stack <folder>',
    details: [
      `Writes <folder>/${DECOMMISSION_OVERRIDE_FILE}, a Terraform override that sets lifecycle.prevent_destroy = false on every`,
      'resource the stack protects (tenant data of permanent classes), so that terraform destroy can remove them. The',
      'decommission workflow runs it after both approvals, in its working copy; never commit the file. Prints',
      `  override=<folder>/${DECOMMISSION_OVERRIDE_FILE}\n  unprotected=<number of resources>`,
    ].join('\n'),
    flags: { stack: 'string' },
    positionals: [],
    required: 0,
    run: runUnprotect,
  },
  'tenant-suspend': {
    summary: 'Suspend an inactive tenant in its registry (validated transition)',
    usage: 'tenant-suspend --registry <file> [--inventory <file> | --out <dir>] --at <ISO-8601 UTC> --last-activity <ISO-8601 UTC> <tenant>',
    details: [
      'active -> suspended, only when --at is at least the class\'s suspendAfterInactiveDays (90 by default, from the',
      'inventory) after --last-activity (the InopsioTenantInactive alert\'s last-activity value). Writes the registry;',
      'the next apply scales every workload of the tenant to zero and cuts its quota. Prints',
      '  tenant=<id>\n  environment=<env>\n  from=active\n  to=suspended\n  reason=<why>\n  registry=<file>',
    ].join('\n'),
    flags: { 'registry': 'string', 'inventory': 'string', 'out': 'string', 'at': 'string', 'last-activity': 'string' },
    positionals: ['tenant'],
    required: 1,
    run: (args, io) => runStateChange('tenant-suspend', TenantLifecycleState.SUSPENDED, args, io),
  },
  'tenant-resume': {
    summary: 'Resume a suspended tenant in its registry (validated transition)',
    usage: 'tenant-resume --registry <file> [--inventory <file> | --out <dir>] --at <ISO-8601 UTC> <tenant>',
    details: 'suspended -> active. Writes the registry; the next apply restores the declared sizes and the class quota. Prints the same key=value lines as tenant-suspend.',
    flags: { registry: 'string', inventory: 'string', out: 'string', at: 'string' },
    positionals: ['tenant'],
    required: 1,
    run: (args, io) => runStateChange('tenant-resume', TenantLifecycleState.ACTIVE, args, io),
  },
  'tenant-archive': {
    summary: 'Archive a suspended tenant after its final backup (validated transition)',
    usage: 'tenant-archive --registry <file> [--inventory <file> | --out <dir>] --at <ISO-8601 UTC> --manifest <key> --taken-at <ISO-8601 UTC> --sha256 <hex> --verified <tenant>',
    details: [
      'suspended -> archived, with the final backup\'s manifest: <bucket>/<env>/<tenant>/manifests/<tenant>-<YYYYMMDDTHHMMSSZ>.manifest,',
      'its created= time (--taken-at, newer than the class\'s staleAfterHours), sha256= and verified=true (--verified).',
      'Writes the registry. Prints the same key=value lines as tenant-suspend.',
    ].join('\n'),
    flags: { 'registry': 'string', 'inventory': 'string', 'out': 'string', 'at': 'string', 'manifest': 'string', 'taken-at': 'string', 'sha256': 'string', 'verified': 'boolean' },
    positionals: ['tenant'],
    required: 1,
    run: (args, io) => runStateChange('tenant-archive', TenantLifecycleState.ARCHIVED, args, io),
  },
};

/**
 * Run the `inopsio-env` CLI with `argv` (the arguments after the program name) and return the exit code:
 * 0 success, 1 runtime failure, 2 usage error, 3 refused (a refused transition or a blocked decommission plan). Never exits the process; writes
 * only to `io`.
 */
export function main(argv: string[], io: CliIo): number {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      const topic = command === 'help' ? rest[0] : undefined;
      if (topic !== undefined && !COMMANDS[topic]) throw new UsageError(`unknown command "${topic}"`);
      if (command === undefined) {
        io.stderr.write(overallHelp());
        return EXIT.USAGE;
      }
      io.stdout.write(topic ? commandHelp(topic) : overallHelp());
      return EXIT.OK;
    }
    const spec = COMMANDS[command];
    if (!spec) throw new UsageError(`unknown command "${command}"`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(commandHelp(command));
      return EXIT.OK;
    }
    return spec.run(parse(command, spec, rest), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`${PROGRAM}: ${e.message}\n${e.command ? `usage: ${PROGRAM} ${COMMANDS[e.command].usage}\n` : ''}run "${PROGRAM} --help" for help\n`);
      return EXIT.USAGE;
    }
    if (e instanceof LifecycleValidationError) {
      io.stderr.write(`${PROGRAM}: ${command}: ${e.message}\n`);
      return EXIT.USAGE;
    }
    io.stderr.write(`${PROGRAM}: ${command} failed: ${(e as Error)?.message ?? String(e)}\n`);
    return EXIT.FAILURE;
  }
}

function overallHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map(c => c.length));
  return [
    `${PROGRAM}: lifecycle automation for @inopsio/env-lifecycle platforms`,
    '',
    `usage: ${PROGRAM} <command> [options]`,
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    `Run "${PROGRAM} <command> --help" for a command's options.`,
    'Exit codes: 0 success, 1 runtime failure, 2 usage error (bad arguments, unknown environment or tenant,',
    'unreadable or schema-invalid input), 3 refused (a refused transition or a blocked decommission plan).',
    '',
  ].join('\n');
}

function commandHelp(command: string): string {
  const c = COMMANDS[command];
  return `usage: ${PROGRAM} ${c.usage}\n\n${c.summary}.\n\n${c.details}\n`;
}

function parse(command: string, spec: CommandSpec, args: string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const kind = spec.flags[name];
      if (!kind) throw new UsageError(`${command}: unknown option --${name}`, command);
      if (flags.has(name)) throw new UsageError(`${command}: --${name} is given twice`, command);
      if (kind === 'boolean') {
        if (eq >= 0) throw new UsageError(`${command}: --${name} takes no value`, command);
        flags.set(name, true);
      } else {
        const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
        if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`${command}: --${name} needs a value`, command);
        flags.set(name, value);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) throw new UsageError(`${command}: unknown option ${arg}`, command);
    positionals.push(arg);
  }
  if (positionals.length < spec.required) {
    throw new UsageError(`${command}: missing <${spec.positionals[positionals.length]}>`, command);
  }
  if (positionals.length > spec.positionals.length) {
    throw new UsageError(`${command}: unexpected argument "${positionals[spec.positionals.length]}"`, command);
  }
  return { flags, positionals };
}

function required(command: string, args: ParsedArgs, name: string): string {
  const value = args.flags.get(name);
  if (typeof value !== 'string' || value === '') throw new UsageError(`${command}: --${name} is required`, command);
  return value;
}

/**
 * `--inventory <file>`, or else the inventory of the output folder `--out` (default `dist`), found by the output tree
 * reader (src/output): the same place `Platform.synth()` writes it.
 */
function inventoryOf(command: string, args: ParsedArgs): string {
  const given = optional(args, 'inventory');
  if (given !== undefined) return given;
  const out = optional(args, 'out') ?? 'dist';
  const found = inventoryFileOf(OutputLayout.of(out));
  if (found === undefined) {
    throw new UsageError(`${command}: --inventory is required: there is no ${OutputLayout.of(out).inventoryFile} (--out ${out}); synthesize first, or pass --inventory <file> or --out <folder>`, command);
  }
  return found;
}

function optional(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function runExpired(args: ParsedArgs, io: CliIo): number {
  const inventoryFile = inventoryOf('expired', args);
  const at = required('expired', args, 'at');
  if (!isIsoInstant(at)) throw new UsageError(`expired: --at is not an ISO-8601 UTC instant (got ${JSON.stringify(at)}); write e.g. 2026-11-30T09:00:00Z`, 'expired');
  const lifecycle = optional(args, 'lifecycle');
  const kinds = Object.values(LifecycleKind) as string[];
  if (lifecycle !== undefined && !kinds.includes(lifecycle)) {
    throw new UsageError(`expired: --lifecycle must be one of ${kinds.join(', ')} (got ${JSON.stringify(lifecycle)})`, 'expired');
  }
  const inventory = readInventory(inventoryFile);
  const expired = expiredEnvironments(inventory, at, lifecycle as LifecycleKind | undefined);
  if (args.flags.get('json')) {
    const rows = expired.map(e => ({
      name: e.name,
      lifecycle: e.lifecycle,
      expiresAt: e.expiresAt,
      organization: e.organization,
      workspace: e.workspace,
      stackDirectory: e.stackDirectory,
      owner: e.owner,
      sourceBranch: e.sourceBranch,
    }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    for (const e of expired) io.stdout.write(`${e.name}\t${e.expiresAt}\t${e.lifecycle}\t${e.organization}/${e.workspace}\n`);
    if (expired.length === 0) io.stderr.write(`${PROGRAM}: nothing has expired at ${at}\n`);
  }
  return EXIT.OK;
}

function runPlan(args: ParsedArgs, io: CliIo): number {
  const command = 'plan-decommission';
  const inventoryFile = inventoryOf(command, args);
  const [environment, tenant] = args.positionals;
  const format = optional(args, 'format') ?? 'text';
  if (!['text', 'json', 'sh'].includes(format)) throw new UsageError(`${command}: --format must be text, json or sh (got ${JSON.stringify(format)})`, command);
  const targets = optional(args, 'targets');
  const stepText = optional(args, 'step');
  if (targets !== undefined && (args.flags.has('format') || stepText !== undefined)) {
    throw new UsageError(`${command}: --targets cannot be combined with --format or --step`, command);
  }
  if (stepText !== undefined && format !== 'sh') throw new UsageError(`${command}: --step needs --format sh`, command);
  const ids = Object.values(DecommissionStepId) as string[];
  const steps = stepText?.split(',').map(s => s.trim());
  for (const s of steps ?? []) {
    if (!ids.includes(s)) throw new UsageError(`${command}: --step "${s}" is not one of ${ids.join(', ')}`, command);
  }
  const kinds = Object.values(DecommissionTargetKind) as string[];
  if (targets !== undefined && !kinds.includes(targets)) {
    throw new UsageError(`${command}: --targets must be one of ${kinds.join(', ')} (got ${JSON.stringify(targets)})`, command);
  }

  const plan = planDecommission(readInventory(inventoryFile), environment, tenant);
  const blocked = () => {
    io.stderr.write(`${PROGRAM}: ${command}: ${plan.target} is blocked:\n${plan.blockers.map(b => `  - ${b}`).join('\n')}\n`);
    return EXIT.REFUSED;
  };
  if (targets !== undefined || format === 'sh') {
    // Nothing to run while the plan is blocked: no script, no targets.
    if (plan.blockers.length > 0) return blocked();
    if (targets !== undefined) {
      const text = decommissionTargets(plan, targets as DecommissionTargetKind);
      if (text === '' && tenant === undefined && TENANT_ONLY_TARGETS.includes(targets)) {
        io.stderr.write(`${PROGRAM}: ${command}: no ${targets} for a whole environment: terraform destroy of its stacks removes them (see --targets stacks)\n`);
      }
      io.stdout.write(text);
      return EXIT.OK;
    }
    io.stdout.write(renderDecommissionScript(plan, steps as DecommissionStepId[] | undefined));
    return EXIT.OK;
  }
  // The plan is printed also when blocked, for reading; the exit code says it cannot be run.
  io.stdout.write(format === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : renderDecommissionPlan(plan));
  return plan.blockers.length > 0 ? blocked() : EXIT.OK;
}

function runPreviewName(args: ParsedArgs, io: CliIo): number {
  const branch = required('preview-name', args, 'branch');
  if (branch.trim() === '') throw new UsageError('preview-name: --branch is blank; pass the pull request\'s head branch', 'preview-name');
  const names = previewNames(branch);
  io.stdout.write(args.flags.get('json')
    ? `${JSON.stringify({ name: names.name, slug: names.slug, workspace: names.workspace })}\n`
    : `name=${names.name}\nslug=${names.slug}\nworkspace=${names.workspace}\n`);
  return EXIT.OK;
}

function runSignup(args: ParsedArgs, io: CliIo): number {
  const payloadFile = required('tenant-signup', args, 'payload');
  const dir = required('tenant-signup', args, 'registry-dir');
  const payload = readJson(payloadFile, 'the client_payload of a tenant-signup repository_dispatch event');
  const problems = validateSignup(payload);
  if (problems.length > 0) {
    throw new LifecycleValidationError(problems.map(p => `${payloadFile}: ${p}; fix the sender (schema tenant-signup.schema.json)`));
  }
  const signup = payload as TenantSignup;
  const file = path.join(dir, `${signup.environment}.json`);
  if (!fs.existsSync(file)) {
    throw new LifecycleValidationError([`${file}: does not exist (environment ${JSON.stringify(signup.environment)} of the payload); create it once with "${PROGRAM} registry-init --registry-dir ${dir} ${signup.environment}" and add the module catalog, or fix the payload's environment`]);
  }
  const registry = readTenantRegistry(file);
  const result = applySignup(registry, signup);
  if (result.outcome === 'added') writeTenantRegistry(file, result.registry);
  io.stdout.write(`outcome=${result.outcome}\nenvironment=${signup.environment}\ntenant=${signup.tenantId}\nregistry=${file}\n`);
  io.stderr.write(`${PROGRAM}: tenant ${signup.tenantId} ${result.outcome === 'added' ? 'added to' : 'is already in'} ${file}\n`);
  return EXIT.OK;
}

function runRegistryInit(args: ParsedArgs, io: CliIo): number {
  const dir = required('registry-init', args, 'registry-dir');
  const [environment] = args.positionals;
  const registry = emptyTenantRegistry(environment);
  const file = path.join(dir, `${environment}.json`);
  if (fs.existsSync(file)) {
    throw new UsageError(`registry-init: ${file} already exists; edit it, or remove it first to start over`, 'registry-init');
  }
  writeTenantRegistry(file, registry);
  io.stdout.write(`registry=${file}\n`);
  return EXIT.OK;
}

function runRemove(args: ParsedArgs, io: CliIo): number {
  const file = required('tenant-remove', args, 'registry');
  const [tenant] = args.positionals;
  const registry = readTenantRegistry(file);
  writeTenantRegistry(file, removeTenant(registry, tenant));
  io.stdout.write(`removed=${tenant}\n`);
  return EXIT.OK;
}

function runPrerequisites(args: ParsedArgs, io: CliIo): number {
  const inventoryFile = inventoryOf('prerequisites', args);
  const [environment] = args.positionals;
  const inventory = readInventory(inventoryFile);
  const env = inventory.environments.find(e => e.name === environment);
  if (!env) {
    throw new UsageError(`prerequisites: environment is not in ${inventoryFile} (got ${JSON.stringify(environment)}); use one of ${inventory.environments.map(e => e.name).join(', ')}`, 'prerequisites');
  }
  if (env.prerequisites === undefined) {
    throw new UsageError(`prerequisites: ${inventoryFile} lists no prerequisites for ${environment} (got an inventory built without the output); use the lifecycle.json that Platform.synth() writes`, 'prerequisites');
  }
  if (args.flags.get('json') === true) {
    io.stdout.write(`${JSON.stringify(env.prerequisites, undefined, 2)}\n`);
  } else {
    for (const p of env.prerequisites) io.stdout.write(`${[p.kind, p.name, p.scope, p.neededBy.join(', ')].join('\t')}\n`);
  }
  return EXIT.OK;
}

function runUnprotect(args: ParsedArgs, io: CliIo): number {
  const stack = required('unprotect', args, 'stack');
  if (!fs.existsSync(path.join(stack, OutputLayout.STACK_FILE_NAME))) {
    throw new UsageError(`unprotect: --stack has no ${OutputLayout.STACK_FILE_NAME} (got ${JSON.stringify(stack)}); pass a stack folder such as cdktf.out/stacks/prod`, 'unprotect');
  }
  const count = writeUnprotectOverride(stack);
  io.stdout.write(`override=${path.join(stack, DECOMMISSION_OVERRIDE_FILE)}\nunprotected=${count}\n`);
  return EXIT.OK;
}

function runStateChange(command: string, toState: TenantLifecycleState, args: ParsedArgs, io: CliIo): number {
  const file = required(command, args, 'registry');
  const inventoryFile = inventoryOf(command, args);
  const at = required(command, args, 'at');
  if (!isIsoInstant(at)) throw new UsageError(`${command}: --at is not an ISO-8601 UTC instant (got ${JSON.stringify(at)}); write e.g. 2026-11-30T09:00:00Z`, command);
  const [tenantId] = args.positionals;
  let lastActivityAt: string | undefined;
  if (toState === TenantLifecycleState.SUSPENDED) {
    lastActivityAt = required(command, args, 'last-activity');
    if (!isIsoInstant(lastActivityAt)) throw new UsageError(`${command}: --last-activity is not an ISO-8601 UTC instant (got ${JSON.stringify(lastActivityAt)}); write e.g. 2026-08-01T00:00:00Z`, command);
  }
  const finalBackup = toState === TenantLifecycleState.ARCHIVED ? {
    manifest: required(command, args, 'manifest'),
    takenAt: required(command, args, 'taken-at'),
    sha256: required(command, args, 'sha256'),
    verified: args.flags.get('verified') === true,
  } : undefined;
  const registry = readTenantRegistry(file);
  const inventory = readInventory(inventoryFile);
  let change: ReturnType<typeof changeTenantState>;
  try {
    change = changeTenantState(registry, inventory, { tenantId, toState, now: at, lastActivityAt, finalBackup });
  } catch (e) {
    if (!(e instanceof LifecycleValidationError)) throw e;
    // Understood and refused by the state machine: the registry is left as it was (exit 3, like a blocked plan).
    io.stderr.write(`${PROGRAM}: ${command}: ${e.message}\n`);
    return EXIT.REFUSED;
  }
  writeTenantRegistry(file, change.registry);
  const t = change.transition;
  io.stdout.write(`tenant=${t.tenantId}\nenvironment=${t.environment}\nfrom=${t.fromState}\nto=${t.toState}\nreason=${t.reason}\nregistry=${file}\n`);
  io.stderr.write(`${PROGRAM}: tenant ${t.tenantId} of ${t.environment}: ${t.fromState} -> ${t.toState} (${t.reason}); ${file} updated\n`);
  return EXIT.OK;
}

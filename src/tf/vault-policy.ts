import { formatProblem, LifecycleValidationError } from '../model/problems';

/**
 * Capabilities a generated policy may grant. `sudo` and `root` do not exist here on purpose (V01, B08):
 * nothing this library generates needs them.
 */
export enum VaultCapability {
  /** Create new data. */
  CREATE = 'create',
  /** Read data. */
  READ = 'read',
  /** Change existing data. */
  UPDATE = 'update',
  /** Partly change existing data. */
  PATCH = 'patch',
  /** Delete data. */
  DELETE = 'delete',
  /** List keys. */
  LIST = 'list',
  /** Deny everything, whatever other rules grant. */
  DENY = 'deny',
}

const CAPABILITY_ORDER = Object.values(VaultCapability) as string[];

/** One `path "<path>" { capabilities = [...] }` block. */
export interface VaultPolicyRule {
  /** The path; `*` only as the last character, `+` only as a whole segment (V02). */
  readonly path: string;
  /** What the rule allows. */
  readonly capabilities: VaultCapability[];
  /**
   * Why the rule exists, written as a comment above it.
   * @default - no comment
   */
  readonly description?: string;
}

/** Options of a policy document. */
export interface VaultPolicyDocumentOptions {
  /**
   * Where every rule must stay: entries ending in `/` are prefixes (a tenant's `kv-<env>/data/<env>/<tenant>/`),
   * other entries are exact paths (the tenant's `database-<env>/creds/<tenant>-db`).
   * @default - no restriction beyond V01–V02
   */
  readonly allowedPrefixes?: string[];
}

const FORBIDDEN_ROOTS = ['sys', 'auth', 'identity'];

/** Every reason `rule` breaks V01–V02 or B07–B08, formatted as `<path>: <field> <problem> (got ...); <fix>`. */
export function vaultPolicyRuleProblems(owner: string, rule: VaultPolicyRule, allowedPrefixes: readonly string[] = []): string[] {
  const out: string[] = [];
  const add = (field: string, problem: string, got: unknown, fix: string) => out.push(formatProblem({ path: owner, field, problem, got, fix }));
  const path = rule?.path;
  if (typeof path !== 'string' || path.length === 0) {
    add('path', 'is empty', path, 'name the path the rule grants, e.g. "kv-dev/data/dev/acme/*"');
    return out;
  }
  const root = path.split('/')[0];
  if (FORBIDDEN_ROOTS.includes(root)) {
    add('path', `grants a "${root}/" path`, path, 'generated policies never reach sys/, auth/ or identity/ (V01); use the default policy for token self-management');
  }
  if (/\s|["\\{}%$]/.test(path)) {
    add('path', 'contains whitespace, quotes, braces, "%" or "$"', path, 'write a literal path without templates or encodings (B07)');
  }
  const star = path.indexOf('*');
  if (star >= 0 && star !== path.length - 1) {
    add('path', 'uses "*" before the end', path, 'a glob may only be the last character (V02)');
  }
  const segments = path.replace(/\*$/, '').split('/');
  if (segments.some(s => s.includes('+') && s !== '+')) {
    add('path', 'uses "+" inside a segment', path, '"+" may only stand for one whole segment, e.g. "kv/data/+/config" (V02)');
  }
  if (path.includes('..') || segments.some(s => s === '.')) {
    add('path', 'contains ".." or a "." segment', path, 'write the path without relative segments (B07)');
  }
  if (segments.slice(0, -1).some(s => s === '') || path.startsWith('/')) {
    add('path', 'has an empty segment', path, 'remove the extra "/"');
  }
  if (allowedPrefixes.length > 0 && !allowedPrefixes.some(p => (p.endsWith('/') ? path.startsWith(p) : path === p))) {
    add('path', `is outside ${allowedPrefixes.join(', ')}`, path, 'tenant rules stay under the tenant\'s own prefixes (V02)');
  }
  const caps = rule.capabilities ?? [];
  const shown = `[${caps.join(', ')}]`;
  if (caps.length === 0) {
    add('capabilities', 'is empty', shown, 'grant at least one capability, e.g. VaultCapability.READ');
  }
  for (const c of caps as string[]) {
    if (!CAPABILITY_ORDER.includes(c)) {
      add('capabilities', c === 'sudo' || c === 'root' ? `grants "${c}"` : `has an unknown capability "${c}"`, c, 'use create, read, update, patch, delete, list or deny; never sudo or root (V01, B08)');
    }
  }
  if (new Set(caps).size !== caps.length) {
    add('capabilities', 'lists a capability twice', shown, 'list each capability once');
  }
  if (caps.includes(VaultCapability.DENY) && caps.length > 1) {
    add('capabilities', 'combines "deny" with other capabilities', shown, 'a deny rule grants nothing else: use deny alone');
  }
  return out;
}

/**
 * A small typed renderer for Vault policies (HCL). Rules are validated as they are added (V01–V02); the rendering
 * sorts rules by path and capabilities in a fixed order, so the same rules always give the same bytes.
 */
export class VaultPolicyDocument {
  /** The policy name, used in comments and errors. */
  public readonly name: string;
  private readonly allowedPrefixes: string[];
  private readonly ruleList = new Map<string, VaultPolicyRule>();

  constructor(name: string, rules: VaultPolicyRule[] = [], options: VaultPolicyDocumentOptions = {}) {
    this.name = name;
    this.allowedPrefixes = [...(options.allowedPrefixes ?? [])];
    const problems: string[] = [];
    for (const rule of rules) problems.push(...this.check(rule));
    if (problems.length > 0) throw new LifecycleValidationError(problems);
    for (const rule of rules) this.store(rule);
  }

  /** Add a rule; throws at once, listing every problem, if it breaks V01–V02. A second rule for a path merges. */
  public addRule(rule: VaultPolicyRule): void {
    const problems = this.check(rule);
    if (problems.length > 0) throw new LifecycleValidationError(problems);
    this.store(rule);
  }

  /** The rules, sorted by path. */
  public get rules(): VaultPolicyRule[] {
    return [...this.ruleList.keys()].sort().map(k => this.ruleList.get(k)!);
  }

  /** The policy as HCL. */
  public render(): string {
    const lines = [`# Vault policy ${this.name}, generated by @inopsio/env-lifecycle. Do not edit: change the environment spec.`];
    for (const rule of this.rules) {
      lines.push('');
      if (rule.description) lines.push(`# ${rule.description.replace(/\s+/g, ' ')}`);
      lines.push(`path "${rule.path}" {`);
      lines.push(`  capabilities = [${rule.capabilities.map(c => `"${c}"`).join(', ')}]`);
      lines.push('}');
    }
    return `${lines.join('\n')}\n`;
  }

  private check(rule: VaultPolicyRule): string[] {
    return vaultPolicyRuleProblems(`VaultPolicy[${this.name}]`, rule, this.allowedPrefixes);
  }

  private store(rule: VaultPolicyRule): void {
    const existing = this.ruleList.get(rule.path);
    const caps = new Set<string>([...(existing?.capabilities ?? []), ...rule.capabilities]);
    if (caps.has(VaultCapability.DENY) && caps.size > 1) {
      throw new LifecycleValidationError([formatProblem({
        path: `VaultPolicy[${this.name}]`,
        field: 'capabilities',
        problem: 'would combine "deny" with other capabilities on one path',
        got: `[${[...caps].join(', ')}]`,
        fix: 'a deny rule grants nothing else: use deny alone',
      })]);
    }
    this.ruleList.set(rule.path, {
      path: rule.path,
      capabilities: CAPABILITY_ORDER.filter(c => caps.has(c)) as VaultCapability[],
      description: existing?.description ?? rule.description,
    });
  }
}

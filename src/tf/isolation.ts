import { Environment } from '../model/environment';
import { environmentNameReferences } from '../model/names';
import { VaultRef } from '../model/vault-ref';

/** Which environments count as production for the isolation check (V12, B12). */
export interface IsolationOptions {
  /**
   * Names of the production environments. A stack of any other environment may not mention their mounts
   * (`kv-<name>`, `database-<name>`, `cache-<name>`, `kubernetes-<name>`), policies (`env-<name>`, `env-<name>-tenant-*`),
   * roles (`database/creds/<name>-*`), workspaces and buckets (`inopsio-<name>*`), or object-store prefixes
   * (`s3://<bucket>/<name>/...`, also `s3a`, `gs`, `minio`).
   * @default ['prod']
   */
  readonly productionEnvironmentNames?: string[];
  /**
   * Further names a non-production stack must never mention: production bucket names, database hosts, etc.
   * @default - none
   */
  readonly forbiddenReferences?: string[];
}

/** One isolation violation. */
export interface IsolationViolation {
  /** What is wrong. */
  readonly problem: string;
  /** How to fix it. */
  readonly fix: string;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The synth-time isolation check: a preview, development or staging stack can never reference production policies,
 * roles, mounts or buckets (V12, B12). A production stack is not restricted. Pure: no cdktf, so it is cheap to test.
 */
export class EnvironmentIsolation {
  /** The environment whose stack is checked. */
  public readonly environment: Environment;
  /** The production environment names. */
  public readonly productionEnvironmentNames: string[];
  private readonly patterns: { regex: RegExp; what: string; env: string }[] = [];

  constructor(environment: Environment, options: IsolationOptions = {}) {
    this.environment = environment;
    this.productionEnvironmentNames = [...(options.productionEnvironmentNames ?? ['prod'])];
    if (!this.enforced) return;
    for (const p of this.productionEnvironmentNames.filter(name => name !== environment.name)) {
      for (const { regex, what } of environmentNameReferences(p)) this.patterns.push({ regex, what, env: p });
    }
    for (const name of options.forbiddenReferences ?? []) {
      if (typeof name === 'string' && name.length > 0) {
        this.patterns.push({ regex: new RegExp(`(?<![A-Za-z0-9-])${escape(name)}(?![A-Za-z0-9])`), what: `the forbidden name "${name}"`, env: '' });
      }
    }
  }

  /** False for production environments (and environments listed as production): they are not restricted. */
  public get enforced(): boolean {
    return !this.environment.isProduction && !this.productionEnvironmentNames.includes(this.environment.name);
  }

  /** Violations in a value: in its literal text and in every Vault reference it embeds. */
  public check(value: string): IsolationViolation[] {
    if (!this.enforced || typeof value !== 'string') return [];
    const found: IsolationViolation[] = [];
    const seen = new Set<string>();
    for (const { regex, what, env } of this.patterns) {
      const m = regex.exec(value);
      if (!m || seen.has(m[0])) continue;
      seen.add(m[0]);
      found.push({
        problem: env
          ? `references ${what} of production environment "${env}" ("${m[0]}") from ${this.kind} environment "${this.environment.name}"`
          : `references ${what} from ${this.kind} environment "${this.environment.name}"`,
        fix: `a ${this.kind} environment can never use production policies, roles, mounts or buckets (V12, B12); use this environment's own, e.g. {{ vault('kv/data/<path>') }} or {{ vault('database/creds/tenant-db') }}`,
      });
    }
    return found;
  }

  /** Violations of one reference. */
  public checkRef(ref: VaultRef): IsolationViolation[] {
    return this.check(`${ref.path}`);
  }

  private get kind(): string {
    if (this.environment.isPreview) return 'preview';
    return this.environment.environmentClass.name;
  }
}

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as release from '@cdktf/provider-helm/lib/release';
import { AssetType, ITerraformDependable, TerraformAsset, Token } from 'cdktf';
import { Construct } from 'constructs';
import { dependOn } from './depends-on';
import { EnvironmentIsolation, IsolationOptions } from './isolation';
import { TenantVault } from './vault-bootstrap';
import { Environment } from '../model/environment';
import { UpgradeStrategy } from '../model/environment-class';
import { replicaKeysOf, replicaOverrides } from '../model/module-operations';
import { composeName, isDnsLabel, NAME_LIMITS, shortHash } from '../model/naming';
import { LifecycleValidationError, Problems } from '../model/problems';
import { Tenant, TenantModuleProps, TenantState } from '../model/tenant';
import { ResolvedVaultRef, resolveVaultRef, tenantVaultNames, TenantVaultNames, VaultEngine, VaultRef, VaultTemplatePart } from '../model/vault-ref';

/** How secrets referenced in module values (`{{ vault('...') }}`) reach the pods. Never as Helm values. */
export enum SecretDelivery {
  /**
   * Vault Agent injector annotations on the pods (`podAnnotations`): the agent logs in with the pod's service account,
   * renders each value to `/vault/secrets/<file>` and renews the lease. Needs only the injector in the cluster.
   */
  VAULT_AGENT_INJECTOR = 'vault-agent-injector',
  /**
   * External Secrets: the value is replaced by the name of a Kubernetes Secret that an ExternalSecret must create
   * (listed in `TenantRelease.secretDeliveries` for the Kubernetes layer). The secret then lives in etcd.
   */
  EXTERNAL_SECRETS = 'external-secrets',
}

/** Tunable parts of tenant releases. */
export interface TenantReleaseOptions {
  /**
   * How Vault references in module values are delivered.
   * @default SecretDelivery.VAULT_AGENT_INJECTOR
   */
  readonly secretDelivery?: SecretDelivery;
  /**
   * Seconds Helm waits for a release to become ready before rolling back (V14), 60–3600.
   * @default 600
   */
  readonly timeoutSeconds?: number;
  /**
   * Release revisions Helm keeps, 1–20.
   * @default 5
   */
  readonly maxHistory?: number;
  /**
   * Helm value that holds pod annotations in the module charts.
   * @default 'podAnnotations'
   */
  readonly podAnnotationsKey?: string;
  /**
   * Helm value that names the module's service account; it is set to the module name, the name the tenant's
   * Kubernetes auth role is bound to (V07). An empty string leaves it unset.
   * @default 'serviceAccount.name'
   */
  readonly serviceAccountNameKey?: string;
  /**
   * Suffix of the value that tells the workload where its secret is: `env.DATABASE_URL` becomes
   * `env.DATABASE_URL_FILE=/vault/secrets/<file>` (agent) or `env.DATABASE_URL_SECRET=<secret name>` (External
   * Secrets). An empty string sets nothing.
   * @default - '_FILE' with the agent injector, '_SECRET' with External Secrets
   */
  readonly referenceSuffix?: string;
  /**
   * Projected service-account-token volume (audience `vault`) the agent uses to log in, when the charts mount one
   * (`vault.hashicorp.com/agent-service-account-token-volume-name`).
   * @default - the pod's default service account token
   */
  readonly agentTokenVolumeName?: string;
}

/** Inputs of a TenantRelease. */
export interface TenantReleaseProps extends TenantReleaseOptions, IsolationOptions {
  /** The environment. */
  readonly environment: Environment;
  /** The tenant. */
  readonly tenant: Tenant;
  /** Folder of the tenant's generated local Helm chart (with `Chart.yaml`); it contains the tenant's Namespace. */
  readonly chartDirectory: string;
  /**
   * The tenant's Vault resources: the base release waits for them, and module references extend the tenant policy.
   * @default - no Vault ordering (tests, or Vault managed elsewhere)
   */
  readonly vault?: TenantVault;
  /**
   * Install the tenant's modules as Helm releases. Classes that upgrade through Argo CD leave the modules to their
   * Applications instead, so that every object has exactly one owner.
   * @default - true when the environment's class upgrades with Helm, false when it upgrades with Argo CD
   */
  readonly installModules?: boolean;
}

/** One value delivered from Vault at run time instead of as a Helm value. */
export interface SecretDeliveryRequest {
  /** The module. */
  readonly module: string;
  /** The Helm value path the reference was written at (`env.DATABASE_URL`). */
  readonly valuePath: string;
  /** Namespace of the workload. */
  readonly namespace: string;
  /** Agent: the file under `/vault/secrets/`. External Secrets: the Kubernetes Secret to create. */
  readonly target: string;
  /** The references the value is built from, resolved. */
  readonly refs: ResolvedVaultRef[];
  /** The Vault Agent template that renders the value (literal text kept, each reference replaced by its secret). */
  readonly agentTemplate: string;
}

const VALUE_KEY = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const SECRET_KEY = /(?:password|passwd|pwd|passphrase|api[-_]?key|secret[-_]?key|private[-_]?key|access[-_]?key|client[-_]?secret|token)$/i;
const PLAIN_SCALAR = /^(?:true|false|yes|no|on|off|null|-?\d+(?:\.\d+)?)$/i;
const INLINE_CREDENTIALS = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Escape a Helm `--set` key segment: `.`, `,`, `=`, `[` and `]` are syntax there. */
function setKey(segment: string): string {
  return segment.replace(/[\\.,=[\]]/g, m => `\\${m}`);
}

/**
 * Escape a value for Terraform (`${`, `%{` start interpolations) and for Helm's `--set` parser, which splits on `,`
 * and reads a leading `{` as a list even for `type = "string"`.
 */
function setValue(value: string): string {
  // A function replacement: in a replacement string "$$" would itself mean one "$".
  const tf = value.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
  const helm = tf.replace(/[\\,]/g, m => `\\${m}`);
  return helm.startsWith('{') ? `\\${helm}` : helm;
}

/** Longest file name that keeps `agent-inject-template-<file>` a valid annotation name (≤ 63 characters). */
const FILE_NAME_MAX = 63 - 'agent-inject-template-'.length;

/** A file name under /vault/secrets for a value path: `env.DATABASE_URL` → `env-database-url` (hash-suffixed if long). */
function fileNameFor(valuePath: string): string {
  const slug = valuePath.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'value';
  return composeName([slug], FILE_NAME_MAX);
}

function renderTemplate(parts: VaultTemplatePart[], resolved: Map<VaultRef, ResolvedVaultRef>): string {
  return parts.map(p => {
    if (p.ref === undefined) {
      const text = p.text!;
      return /\{\{|\}\}/.test(text) ? `{{ ${JSON.stringify(text)} }}` : text;
    }
    const r = resolved.get(p.ref)!;
    const data = r.engine === VaultEngine.KV ? '.Data.data' : '.Data';
    const body = r.key === undefined ? `{{ ${data} | toJSON }}` : `{{ index ${data} ${JSON.stringify(r.key)} }}`;
    return `{{ with secret ${JSON.stringify(r.path)} }}${body}{{ end }}`;
  }).join('');
}

/** A stable content hash of a folder: sorted relative paths and bytes (file order and timestamps do not matter). */
/** A content digest of a directory tree (names, sizes, bytes), stable across machines. */
export function hashDirectory(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string, rel: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const stat = fs.statSync(full);
      if (stat.isDirectory()) {
        walk(full, relPath);
      } else if (stat.isFile()) {
        hash.update(`${relPath}\0${stat.size}\0`);
        hash.update(fs.readFileSync(full));
      }
    }
  };
  walk(root, '');
  return hash.digest('hex').slice(0, 32);
}

/**
 * A tenant in Helm: the tenant base (its generated local chart, which contains the tenant's Namespace and every
 * base object) and one release per tenant module, in the spec's order (§3, DESIGN.md): the tenant's Vault resources →
 * tenant base → modules, made explicit with `depends_on`.
 *
 * Every release pins an exact chart version and is `atomic`, `cleanup_on_fail`, `wait` and time-limited (V14).
 * `{{ vault('...') }}` references in module values are never rendered as values: they become Vault Agent injector
 * annotations (default) or External Secrets targets.
 */
export class TenantRelease extends Construct {
  /** The environment. */
  public readonly environment: Environment;
  /** The tenant. */
  public readonly tenant: Tenant;
  /** The tenant namespace all releases install into. */
  public readonly namespace: string;
  /** The chart folder copied into the stack output (`assets/<id>/<hash>`, relative to the stack directory). */
  public readonly chartAsset: TerraformAsset;
  /** The tenant base release. */
  public readonly base: release.Release;
  /** The module releases, in the tenant's module order. */
  public readonly modules: release.Release[];
  /** The values delivered from Vault at run time. */
  public readonly secretDeliveries: SecretDeliveryRequest[];

  constructor(scope: Construct, id: string, props: TenantReleaseProps) {
    super(scope, id);
    const problems = new Problems(this.node.path);
    const env = props.environment;
    const tenant = props.tenant;
    if (!(env instanceof Environment)) problems.add('environment', 'is not an Environment', env, 'pass the stack\'s Environment');
    if (!(tenant instanceof Tenant)) problems.add('tenant', 'is not a Tenant', tenant, 'pass a Tenant of the environment');
    problems.throwIfAny();

    const delivery = props.secretDelivery ?? SecretDelivery.VAULT_AGENT_INJECTOR;
    const timeout = props.timeoutSeconds ?? 600;
    const maxHistory = props.maxHistory ?? 5;
    const annotationsKey = props.podAnnotationsKey ?? 'podAnnotations';
    const saKey = props.serviceAccountNameKey ?? 'serviceAccount.name';
    const suffix = props.referenceSuffix ?? (delivery === SecretDelivery.EXTERNAL_SECRETS ? '_SECRET' : '_FILE');
    const names = tenantVaultNames(env, tenant);
    const isolation = new EnvironmentIsolation(env, props);

    if (!Object.values(SecretDelivery).includes(delivery)) {
      problems.add('secretDelivery', 'is not a SecretDelivery', delivery, 'use SecretDelivery.VAULT_AGENT_INJECTOR or EXTERNAL_SECRETS');
    }
    if (!Number.isInteger(timeout) || timeout < 60 || timeout > 3_600) {
      problems.add('timeoutSeconds', 'is not a whole number from 60 to 3600', timeout, 'give Helm time to roll out and roll back, e.g. 600 (V14)');
    }
    if (!Number.isInteger(maxHistory) || maxHistory < 1 || maxHistory > 20) {
      problems.add('maxHistory', 'is not a whole number from 1 to 20', maxHistory, 'keep a few revisions for rollback, e.g. 5');
    }
    for (const [field, value] of [['podAnnotationsKey', annotationsKey], ['serviceAccountNameKey', saKey]] as const) {
      if (typeof value !== 'string' || (value !== '' && !VALUE_KEY.test(value)) || (field === 'podAnnotationsKey' && value === '')) {
        problems.add(field, 'is not a dotted Helm value path', value, 'write e.g. "podAnnotations" or "serviceAccount.name"');
      }
    }
    if (typeof suffix !== 'string' || !/^[A-Za-z0-9_-]{0,32}$/.test(suffix)) {
      problems.add('referenceSuffix', 'is not a value-name suffix', suffix, 'use e.g. "_FILE", or "" to set nothing');
    }
    if (props.agentTokenVolumeName !== undefined && !isDnsLabel(props.agentTokenVolumeName, 63)) {
      problems.add('agentTokenVolumeName', 'is not a volume name', props.agentTokenVolumeName, 'use the projected volume\'s name, e.g. "vault-token"');
    }
    if (props.vault !== undefined && props.vault.tenant.id !== tenant.id) {
      problems.add('vault', `belongs to tenant "${props.vault.tenant.id}"`, tenant.id, 'pass bootstrap.tenantResources(tenant.id)');
    }

    // The chart: a folder with Chart.yaml, copied into the stack output under a content hash.
    const chartDir = typeof props.chartDirectory === 'string' ? path.resolve(props.chartDirectory) : '';
    let chartOk = false;
    if (!chartDir || !fs.existsSync(chartDir) || !fs.statSync(chartDir).isDirectory()) {
      problems.add('chartDirectory', 'is not a folder', props.chartDirectory, 'write the tenant\'s local chart first and pass its folder');
    } else if (!fs.existsSync(path.join(chartDir, 'Chart.yaml'))) {
      problems.add('chartDirectory', 'has no Chart.yaml', props.chartDirectory, 'pass the folder of a Helm chart (Chart.yaml, templates/)');
    } else {
      chartOk = true;
    }

    // Release names: ≤ 53 after composition, unique in the namespace (B02, B03).
    const baseName = composeName([tenant.id, 'base'], NAME_LIMITS.helmRelease);
    const releaseNames = new Map<string, string>([[baseName, 'the tenant base']]);
    const moduleNames = tenant.modules.map((m, i) => {
      const name = composeName([tenant.id, m?.name ?? ''], NAME_LIMITS.helmRelease);
      if (!isDnsLabel(name, NAME_LIMITS.helmRelease)) {
        problems.add(`modules[${i}].name`, `gives release name "${name}", which is not a DNS label of at most 53 characters`, m?.name, 'use a DNS-1123 label such as "billing"');
      } else if (releaseNames.has(name)) {
        problems.add(`modules[${i}].name`, `gives release name "${name}", already used by ${releaseNames.get(name)}`, m?.name, 'rename the module (B03)');
      }
      releaseNames.set(name, `module "${m?.name}"`);
      return name;
    });

    // Module values: plain values become `set`; Vault references become run-time delivery, never values.
    const deliveries: SecretDeliveryRequest[] = [];
    const grants: ResolvedVaultRef[] = [];
    const sets: release.ReleaseSet[][] = tenant.modules.map((m, i) => this.moduleValues(m, i, {
      env,
      tenant,
      names,
      isolation,
      delivery,
      suffix,
      annotationsKey,
      saKey,
      problems,
      deliveries,
      grants,
      agentTokenVolumeName: props.agentTokenVolumeName,
    }));
    problems.throwIfAny();
    // Only a valid release extends the tenant policy (cache credentials a module references).
    for (const ref of grants) props.vault?.grantRead(ref);

    this.environment = env;
    this.tenant = tenant;
    this.namespace = names.namespace;
    this.secretDeliveries = deliveries;
    this.chartAsset = new TerraformAsset(this, 'Chart', { path: chartDir, type: AssetType.DIRECTORY, assetHash: chartOk ? hashDirectory(chartDir) : undefined });

    const active = tenant.state === TenantState.ACTIVE;
    const common = {
      namespace: names.namespace,
      atomic: true,
      cleanupOnFail: true,
      // Suspended and archived tenants have a zero-pod quota: waiting for readiness would time out and roll back.
      wait: active,
      waitForJobs: active,
      timeout,
      maxHistory,
    };
    const vaultDeps: ITerraformDependable[] = props.vault?.dependables ?? [];
    this.base = new release.Release(this, 'Base', {
      ...common,
      name: baseName,
      chart: this.chartAsset.path,
      description: `Base objects of tenant ${tenant.id} in environment ${env.name}`,
      // The chart holds the tenant's Namespace, but Helm stores the release record in the namespace before it
      // creates any chart object: Helm creates the bare namespace, then adopts it from the chart (labels, PSA).
      createNamespace: true,
      takeOwnership: true,
      lint: true,
    });
    dependOn(this.base, vaultDeps);
    const installModules = props.installModules ?? env.environmentClass.upgradeStrategy === UpgradeStrategy.HELM;
    this.modules = !installModules ? [] : tenant.modules.map((m, i) => new release.Release(this, `Module-${m.name}`, {
      ...common,
      name: moduleNames[i],
      repository: m.repository,
      chart: m.chart,
      version: m.version,
      description: `Module ${m.name} of tenant ${tenant.id} in environment ${env.name}`,
      createNamespace: false,
      set: sets[i].length > 0 ? sets[i] : undefined,
    }));
    for (const m of this.modules) dependOn(m, [this.base]);
  }

  /** The release of a module. */
  public moduleRelease(name: string): release.Release {
    const i = this.tenant.modules.findIndex(m => m.name === name);
    if (i < 0) {
      new Problems(this.node.path)
        .add('module', 'is not a module of the tenant', name, `use one of ${this.tenant.modules.map(m => m.name).join(', ') || '(none)'}`)
        .throwIfAny();
    }
    return this.modules[i];
  }

  private moduleValues(m: TenantModuleProps, i: number, c: {
    env: Environment;
    tenant: Tenant;
    names: TenantVaultNames;
    isolation: EnvironmentIsolation;
    delivery: SecretDelivery;
    suffix: string;
    annotationsKey: string;
    saKey: string;
    problems: Problems;
    deliveries: SecretDeliveryRequest[];
    grants: ResolvedVaultRef[];
    agentTokenVolumeName?: string;
  }): release.ReleaseSet[] {
    const { problems } = c;
    const where = `modules[${i}]`;
    if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(m?.version ?? '')) {
      problems.add(`${where}.version`, 'is not an exact semantic version', m?.version, 'pin the chart, e.g. "1.4.2" (V14: no ranges or "latest")');
    }
    const values = m?.values ?? {};
    const plain = new Map<string, string>();
    const annotations = new Map<string, string>();
    const files = new Set<string>();
    for (const key of Object.keys(values).sort()) {
      const value = values[key];
      const field = `${where}.values["${key}"]`;
      if (!VALUE_KEY.test(key)) {
        problems.add(field, 'has a key that is not a dotted Helm value path', key, 'write nested keys with dots, e.g. "env.DATABASE_URL"');
        continue;
      }
      if (typeof value !== 'string') {
        problems.add(field, 'is not a string', value, 'write every value as a string; Helm receives it with type "string"');
        continue;
      }
      if (Token.isUnresolved(value)) {
        plain.set(key, value);
        continue;
      }
      if (c.saKey && key === c.saKey && value !== m.name) {
        problems.add(field, `names service account "${value}" instead of the module name "${m.name}"`, value, 'remove it: the tenant\'s Vault role is bound to the module name (V07)');
        continue;
      }
      if (c.suffix && values[`${key}${c.suffix}`] !== undefined && /\{\{\s*vault\(/.test(value)) {
        problems.add(`${where}.values["${key}${c.suffix}"]`, `is also set by the reference in "${key}"`, values[`${key}${c.suffix}`], `remove it: it is set to where the secret of "${key}" is delivered`);
      }
      for (const v of c.isolation.check(value)) problems.add(field, v.problem, value, v.fix);
      let parts: VaultTemplatePart[];
      try {
        parts = VaultRef.split(value);
      } catch (e) {
        if (!(e instanceof LifecycleValidationError)) throw e;
        // Re-home the reference problems on this construct and field, keeping their wording.
        for (const line of e.problems) problems.addAll([`${this.node.path}: ${field} ${line.replace(/^VaultRef: /, '')}`]);
        continue;
      }
      const refs = parts.filter(p => p.ref !== undefined).map(p => p.ref!);
      if (refs.length === 0) {
        const last = key.split('.').pop()!;
        if (SECRET_KEY.test(last) && value !== '' && !PLAIN_SCALAR.test(value)) {
          problems.add(field, 'holds a literal secret', '<redacted>', `store it in Vault and write {{ vault('kv/data/${m.name}', '${last}') }} (V14: no secrets in set/values)`);
        } else if (INLINE_CREDENTIALS.test(value)) {
          problems.add(field, 'contains inline credentials (user:password@)', value.replace(/:\/\/([^/\s:@]+):[^/\s@]+@/, '://$1:<redacted>@'), "write the URL without credentials and deliver them with {{ vault('database/creds/tenant-db') }} (B13)");
        } else if (PRIVATE_KEY.test(value)) {
          problems.add(field, 'contains a private key', '<redacted>', "store it in Vault and reference it with {{ vault('kv/data/<path>', '<key>') }} (B13)");
        } else {
          plain.set(key, value);
        }
        continue;
      }
      const resolved = new Map<VaultRef, ResolvedVaultRef>();
      for (const ref of refs) {
        const r = resolveVaultRef(ref, c.env, c.tenant);
        for (const issue of r.issues) problems.add(field, issue.problem, issue.got, issue.fix);
        if (r.resolved) resolved.set(ref, r.resolved);
      }
      if (resolved.size !== refs.length) continue;
      c.grants.push(...resolved.values());
      let file = fileNameFor(key);
      if (files.has(file)) file = composeName([file.slice(0, FILE_NAME_MAX - 7).replace(/-+$/, ''), shortHash(key)], FILE_NAME_MAX);
      files.add(file);
      const template = renderTemplate(parts, resolved);
      const target = c.delivery === SecretDelivery.EXTERNAL_SECRETS ? composeName([m.name, file], NAME_LIMITS.service) : file;
      c.deliveries.push({
        module: m.name, valuePath: key, namespace: c.names.namespace, target, refs: [...resolved.values()], agentTemplate: template,
      });
      if (c.delivery === SecretDelivery.VAULT_AGENT_INJECTOR) {
        annotations.set(`vault.hashicorp.com/agent-inject-secret-${file}`, [...resolved.values()][0].path);
        annotations.set(`vault.hashicorp.com/agent-inject-template-${file}`, template);
        if (c.suffix) plain.set(`${key}${c.suffix}`, `/vault/secrets/${file}`);
      } else if (c.suffix) {
        plain.set(`${key}${c.suffix}`, target);
      }
    }
    if (annotations.size > 0) {
      annotations.set('vault.hashicorp.com/agent-inject', 'true');
      annotations.set('vault.hashicorp.com/agent-init-first', 'true');
      annotations.set('vault.hashicorp.com/role', c.names.kubernetesAuthRole);
      annotations.set('vault.hashicorp.com/auth-path', `auth/${c.names.kubernetesAuthMount}`);
      if (c.agentTokenVolumeName) annotations.set('vault.hashicorp.com/agent-service-account-token-volume-name', c.agentTokenVolumeName);
    }
    if (c.saKey && m?.name) plain.set(c.saKey, m.name);

    // Replica counts are numbers to the chart (`auto`); a suspended or archived tenant's are 0 (see replicaOverrides).
    const replicaKeys = new Set(m?.name ? replicaKeysOf(m) : []);
    if (m?.name) for (const [key, value] of Object.entries(replicaOverrides(m, c.tenant.state))) plain.set(key, value);
    const sets: release.ReleaseSet[] = [];
    for (const key of [...plain.keys()].sort()) {
      const value = plain.get(key)!;
      sets.push({ name: key, value: Token.isUnresolved(value) ? value : setValue(value), type: replicaKeys.has(key) ? 'auto' : 'string' });
    }
    for (const key of [...annotations.keys()].sort()) {
      sets.push({ name: `${c.annotationsKey}.${setKey(key)}`, value: setValue(annotations.get(key)!), type: 'string' });
    }
    return sets;
  }
}

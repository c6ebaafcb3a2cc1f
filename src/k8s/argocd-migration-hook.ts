import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { problemPath } from './problem-path';
import { Environment } from '../model/environment';
import { ContainerImage } from '../model/image';
import { DOMAIN, tenantLabels } from '../model/labels';
import { addModuleValueProblems, migrationServiceAccountName, renderSecretValue, vaultAgentLoginAnnotations, vaultTokenVolume } from '../model/module-values';
import { composeName, NAME_LIMITS } from '../model/naming';
import { LifecycleValidationError, Problems } from '../model/problems';
import { checkQuantity, Quantity, QuantityKind } from '../model/quantity';
import { detectSecretsInValue } from '../model/secret-detector';
import { Tenant } from '../model/tenant';
import { VaultRef, VaultTemplatePart } from '../model/vault-ref';

/** Does a value hold a Vault reference (or a malformed one)? The model's parser decides. */
function hasVaultReference(value: string): boolean {
  try {
    return VaultRef.split(value).some(p => p.ref !== undefined);
  } catch {
    return true;
  }
}

/** UID and GID the migration runs as (K24). */
export const MIGRATION_UID = 10001;
/** Requests and limits of the injected Vault agent (an init container that renders one file), as the backup pods'. */
const AGENT_RESOURCES = { requestsCpu: '50m', limitsCpu: '250m', requestsMem: '64Mi', limitsMem: '128Mi', requestsEphemeral: '64Mi', limitsEphemeral: '128Mi' };

/** Requests and limits of the migration container (K32–K34). */
export interface MigrationResources {
  /**
   * CPU request.
   * @default '100m'
   */
  readonly cpuRequest?: string;
  /**
   * CPU limit.
   * @default '1'
   */
  readonly cpuLimit?: string;
  /**
   * Memory request.
   * @default '256Mi'
   */
  readonly memoryRequest?: string;
  /**
   * Memory limit.
   * @default '512Mi'
   */
  readonly memoryLimit?: string;
  /**
   * Ephemeral-storage request.
   * @default '64Mi'
   */
  readonly ephemeralStorageRequest?: string;
  /**
   * Ephemeral-storage limit (also the size of the writable /tmp).
   * @default '256Mi'
   */
  readonly ephemeralStorageLimit?: string;
}

/**
 * Database credentials for the migration, delivered by the Vault Agent injector as the file `/vault/secrets/db`
 * (spec §5). The pod logs in as the tenant's Kubernetes auth role, on the environment's auth mount, with a projected
 * token for the environment's `vaultTokenAudience`; the role is bound to the hook's service account
 * (`<module>-migrate`, see `tenantRoleServiceAccounts`) in classes that upgrade through Argo CD.
 */
export interface MigrationVaultCredentials {
  /**
   * What the file holds, written like a module value (`{{ vault('<path>', '<key>') }}` references, literal text
   * around them). A database reference without a key renders a PostgreSQL URL of the tenant database (the
   * environment's `database` must be set).
   * @default "{{ vault('database/creds/tenant-db') }}" (a PostgreSQL URL)
   */
  readonly value?: string;
}

/** Props of a SchemaMigrationHook. */
export interface SchemaMigrationHookProps {
  /** The environment. */
  readonly environment: Environment;
  /** The tenant. */
  readonly tenant: Tenant;
  /** Module whose schema is migrated (one of the tenant's modules). */
  readonly module: string;
  /** Migration image, pinned by digest (B10, K30): `ContainerImage.fromDigest('registry/repository@sha256:<64 hex>')`. */
  readonly image: ContainerImage;
  /** Command of the migration container, e.g. `['/app/migrate', 'up']`. */
  readonly command: string[];
  /**
   * Arguments.
   * @default - none
   */
  readonly args?: string[];
  /**
   * Plain configuration as environment variables. Never credentials: use `vault`.
   * @default - none
   */
  readonly env?: { [name: string]: string };
  /**
   * Database credentials from Vault, rendered by the injector's init container into `/vault/secrets/db`.
   * @default - no credentials
   */
  readonly vault?: MigrationVaultCredentials;
  /**
   * Requests and limits.
   * @default - see MigrationResources
   */
  readonly resources?: MigrationResources;
  /**
   * Seconds after which the migration Job is stopped and fails the sync.
   * @default 1800
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Retries of a failed migration (K38: 1–3; migrations should be idempotent).
   * @default 1
   */
  readonly backoffLimit?: number;
  /**
   * Seconds a finished Job is kept (failed ones stay for inspection until the next sync).
   * @default 86400
   */
  readonly ttlSecondsAfterFinished?: number;
}

/**
 * The schema-migration hook of one tenant module: a Job annotated `argocd.argoproj.io/hook: PreSync`, so Argo CD
 * runs it before it syncs the new chart version and stops the sync if it fails (spec §9 "Upgrade Tenant").
 *
 * Its own ServiceAccount (K19) is a PreSync hook of an earlier wave, so it exists before the Job. The pod is
 * hardened for Pod Security `restricted` and beyond: non-root UID/GID 10001, read-only root filesystem with a
 * size-limited /tmp, no privilege escalation, all capabilities dropped, seccomp RuntimeDefault, no service
 * account token (the Vault option mounts a token bound to the `vault` audience only, useless against the API
 * server), requests and limits, image by digest with `imagePullPolicy: Always`.
 *
 * Argo CD only runs hooks that are part of an Application's sources: render these objects into the git folder the
 * Application's second source reads (`ArgoCdApplicationProps.migrationHooks`), not into the tenant base.
 */
export class SchemaMigrationHook extends Construct {
  /** The ServiceAccount (PreSync hook, wave -1). */
  public readonly serviceAccount: ApiObject;
  /** The migration Job (PreSync hook). */
  public readonly job: ApiObject;
  /** Job name. */
  public readonly jobName: string;

  constructor(scope: Construct, id: string, props: SchemaMigrationHookProps) {
    super(scope, id);
    const env = props.environment;
    const tenant = props.tenant;
    const problems = new Problems(problemPath(this));
    if (!tenant.modules.some(m => m.name === props.module)) {
      problems.add('module', `is not a module of tenant ${tenant.id}`, props.module, `use one of ${tenant.modules.map(m => m.name).join(', ') || '(none)'}`);
    }
    if (!ContainerImage.isContainerImage(props.image)) {
      problems.add('image', 'is not a ContainerImage', props.image, 'use ContainerImage.fromDigest("registry.example.com/team/migrate@sha256:<digest>") (B10: pinned by digest)');
    }
    if (!Array.isArray(props.command) || props.command.length === 0 || props.command.some(c => typeof c !== 'string' || c === '')) {
      problems.add('command', 'is empty', props.command, 'pass the migration command, e.g. ["/app/migrate", "up"]');
    }
    for (const [name, value] of Object.entries(props.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) problems.add(`env.${name}`, 'is not an environment variable name', name, 'use letters, digits and "_"');
      if (hasVaultReference(value) || detectSecretsInValue(name, value).length > 0) {
        problems.add(`env.${name}`, 'holds a credential or a Vault reference', '(redacted)', 'use the vault prop: credentials are delivered as files at run time (K42), never as env values');
      }
    }
    let secret: { path: string; template: string } | undefined;
    if (props.vault) {
      let parts: VaultTemplatePart[] | undefined;
      try {
        parts = VaultRef.split(props.vault.value ?? "{{ vault('database/creds/tenant-db') }}");
      } catch (e) {
        if (!(e instanceof LifecycleValidationError)) throw e;
        problems.addAll(e.problems.map(line => `${this.node.path}: vault.value ${line.replace(/^VaultRef: /, '')}`));
      }
      if (parts && !parts.some(p => p.ref !== undefined)) {
        problems.add('vault.value', 'has no Vault reference', props.vault.value, "write e.g. {{ vault('database/creds/tenant-db') }}");
      } else if (parts) {
        const rendered = renderSecretValue(env, tenant, 'vault.value', 'DATABASE_URL', parts);
        addModuleValueProblems(problems, this.node.path, rendered.problems);
        if (rendered.refs.length > 0) secret = { path: rendered.refs[0].path, template: rendered.template };
      }
    }
    const r = props.resources ?? {};
    const res = {
      cpuRequest: r.cpuRequest ?? '100m',
      cpuLimit: r.cpuLimit ?? '1',
      memoryRequest: r.memoryRequest ?? '256Mi',
      memoryLimit: r.memoryLimit ?? '512Mi',
      ephemeralStorageRequest: r.ephemeralStorageRequest ?? '64Mi',
      ephemeralStorageLimit: r.ephemeralStorageLimit ?? '256Mi',
    };
    const pair = (req: keyof typeof res, lim: keyof typeof res, kind: QuantityKind) => {
      const a = checkQuantity(res[req], kind);
      const b = checkQuantity(res[lim], kind);
      if (a) problems.add(`resources.${req}`, a.problem, res[req], a.fix);
      if (b) problems.add(`resources.${lim}`, b.problem, res[lim], b.fix);
      if (!a && !b && Quantity.parse(res[req], kind).isGreaterThan(Quantity.parse(res[lim], kind))) {
        problems.add(`resources.${req}`, `is greater than ${lim} ${res[lim]}`, res[req], `lower ${req} or raise ${lim}`);
      }
    };
    pair('cpuRequest', 'cpuLimit', QuantityKind.CPU);
    pair('memoryRequest', 'memoryLimit', QuantityKind.BYTES);
    pair('ephemeralStorageRequest', 'ephemeralStorageLimit', QuantityKind.BYTES);
    const deadline = props.activeDeadlineSeconds ?? 1800;
    const backoff = props.backoffLimit ?? 1;
    const ttl = props.ttlSecondsAfterFinished ?? 86_400;
    if (!Number.isInteger(deadline) || deadline < 60) problems.add('activeDeadlineSeconds', 'must be a whole number of at least 60', deadline, 'give the migration enough time, e.g. 1800');
    if (!Number.isInteger(backoff) || backoff < 1 || backoff > 3) problems.add('backoffLimit', 'must be 1, 2 or 3 (K38)', backoff, 'use 1 unless the migration is known to be idempotent');
    if (!Number.isInteger(ttl) || ttl < 0) problems.add('ttlSecondsAfterFinished', 'must be a whole, non-negative number', ttl, 'use e.g. 86400');
    problems.throwIfAny();

    const ns = env.namespaceFor(tenant.id);
    const labels = { ...tenantLabels(env, tenant, 'schema-migration'), [`${DOMAIN}/module`]: props.module };
    this.jobName = composeName([props.module, 'migrate'], NAME_LIMITS.label);
    const saName = migrationServiceAccountName(props.module);

    this.serviceAccount = new ApiObject(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: saName,
        namespace: ns,
        labels,
        annotations: {
          'argocd.argoproj.io/hook': 'PreSync',
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
          'argocd.argoproj.io/sync-wave': '-1',
        },
      },
      automountServiceAccountToken: false,
    });

    const podAnnotations: { [key: string]: string } = {};
    const volumes: any[] = [{ name: 'tmp', emptyDir: { sizeLimit: res.ephemeralStorageLimit } }];
    if (secret) {
      const volume = vaultTokenVolume(env, 'vault-token');
      Object.assign(podAnnotations, {
        ...vaultAgentLoginAnnotations(env, tenant, volume.name),
        'vault.hashicorp.com/agent-pre-populate-only': 'true',
        // The injected agent runs as the hook does and is bounded like any container (K25, K32).
        'vault.hashicorp.com/agent-run-as-user': String(MIGRATION_UID),
        'vault.hashicorp.com/agent-run-as-group': String(MIGRATION_UID),
        'vault.hashicorp.com/agent-requests-cpu': AGENT_RESOURCES.requestsCpu,
        'vault.hashicorp.com/agent-limits-cpu': AGENT_RESOURCES.limitsCpu,
        'vault.hashicorp.com/agent-requests-mem': AGENT_RESOURCES.requestsMem,
        'vault.hashicorp.com/agent-limits-mem': AGENT_RESOURCES.limitsMem,
        'vault.hashicorp.com/agent-requests-ephemeral': AGENT_RESOURCES.requestsEphemeral,
        'vault.hashicorp.com/agent-limits-ephemeral': AGENT_RESOURCES.limitsEphemeral,
        'vault.hashicorp.com/agent-inject-secret-db': secret.path,
        'vault.hashicorp.com/agent-inject-template-db': secret.template,
      });
      const token = volume.projected.sources[0].serviceAccountToken;
      volumes.push({ name: volume.name, projected: { sources: [{ serviceAccountToken: { ...token, expirationSeconds: 600 } }] } });
    }
    const container = {
      name: 'migrate',
      image: props.image.reference,
      imagePullPolicy: 'Always',
      command: [...props.command],
      ...(props.args ? { args: [...props.args] } : {}),
      ...(props.env ? { env: Object.keys(props.env).sort().map(name => ({ name, value: props.env![name] })) } : {}),
      securityContext: {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: MIGRATION_UID,
        runAsGroup: MIGRATION_UID,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
      resources: {
        requests: { 'cpu': res.cpuRequest, 'memory': res.memoryRequest, 'ephemeral-storage': res.ephemeralStorageRequest },
        limits: { 'cpu': res.cpuLimit, 'memory': res.memoryLimit, 'ephemeral-storage': res.ephemeralStorageLimit },
      },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    };
    this.job = new ApiObject(this, 'Resource', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: this.jobName,
        namespace: ns,
        labels,
        annotations: {
          'argocd.argoproj.io/hook': 'PreSync',
          // Recreated on every sync; kept after a failure so the logs can be read.
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded',
        },
      },
      spec: {
        backoffLimit: backoff,
        activeDeadlineSeconds: deadline,
        ttlSecondsAfterFinished: ttl,
        template: {
          metadata: { labels, ...(secret ? { annotations: podAnnotations } : {}) },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: saName,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: MIGRATION_UID,
              runAsGroup: MIGRATION_UID,
              fsGroup: MIGRATION_UID,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [container],
            volumes,
          },
        },
      },
    });
    this.job.node.addDependency(this.serviceAccount);
  }
}

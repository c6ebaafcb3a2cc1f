import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Container, KubeJob, Volume } from './imports/k8s';
import { problemPath } from './problem-path';
import { kubeObject, quantities, quantity } from './typed-object';
import { Environment } from '../model/environment';
import { ContainerImage } from '../model/image';
import { DOMAIN, tenantLabels } from '../model/labels';
import { migrationServiceAccountName } from '../model/migration-names';
import { composeName, NAME_LIMITS } from '../model/naming';
import { Problems } from '../model/problems';
import { checkQuantity, Quantity, QuantityKind } from '../model/quantity';
import { Tenant } from '../model/tenant';

/** UID and GID the migration runs as (K24). */
export const MIGRATION_UID = 10001;

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

/** Database credentials for the migration, delivered by the Vault Agent injector as a file (spec §5). */
export interface MigrationVaultCredentials {
  /** Vault Kubernetes auth role that binds the hook's service account (`migrationNames(env, tenant).kubernetesAuthRole`). */
  readonly role: string;
  /** Vault path of the credentials, e.g. `database-prod/creds/acme-migrate`. */
  readonly secretPath: string;
  /**
   * Login path of the role's Kubernetes auth mount (`auth/kubernetes-<env>`).
   * @default - the injector's default (`auth/kubernetes`)
   */
  readonly authPath?: string;
}

/** Which tool runs the migration before the module changes. */
export enum MigrationHookKind {
  /** An Argo CD PreSync hook, applied from the Application's hooks source. */
  ARGO_CD_PRESYNC = 'argo-cd-presync',
  /** A Helm pre-install/pre-upgrade hook of the tenant base chart, which Terraform upgrades before the modules. */
  HELM_PRE_UPGRADE = 'helm-pre-upgrade',
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
  /**
   * Which tool runs the hook.
   * @default MigrationHookKind.ARGO_CD_PRESYNC
   */
  readonly hookKind?: MigrationHookKind;
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
  /**
   * The ServiceAccount (PreSync hook, wave -1), as a cdk8s-plus construct: extend it with cdk8s-plus (e.g.
   * `role.bind(hook.serviceAccount)`); `ApiObject.of(hook.serviceAccount)` is its manifest, for `addJsonPatch`.
   */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The migration Job (PreSync hook). */
  public readonly job: ApiObject;
  /** Job name. */
  public readonly jobName: string;
  /** The service account the migration runs as (`<module>-migrate`), the one the tenant's migration Vault role binds. */
  public readonly serviceAccountName: string;

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
      if (/\{\{\s*vault\(/.test(value) || /:\/\/[^/\s:@]+:[^/\s@]+@/.test(value)) {
        problems.add(`env.${name}`, 'holds a credential or a Vault reference', '(redacted)', 'use the vault prop: credentials are delivered as files at run time (K42), never as env values');
      }
    }
    if (props.vault) {
      if (!/^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/.test(props.vault.role ?? '')) problems.add('vault.role', 'is not a Vault role name', props.vault.role, 'use the tenant\'s Kubernetes auth role');
      if (props.vault.authPath !== undefined && !/^auth\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(props.vault.authPath)) {
        problems.add('vault.authPath', 'is not an auth login path', props.vault.authPath, 'use e.g. "auth/kubernetes-prod"');
      }
      if (!/^[a-z0-9][-a-z0-9_]*(\/[a-z0-9][-a-z0-9_]*)+$/.test(props.vault.secretPath ?? '')) {
        problems.add('vault.secretPath', 'is not a plain Vault path', props.vault.secretPath, 'use e.g. "database/creds/acme-db" (no *, +, .. or templates, B07)');
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
    // The name a Vault role binds (migrationNames / VaultBootstrap): `<module>-migrate`.
    const saName = migrationServiceAccountName(props.module);
    this.serviceAccountName = saName;
    const helm = props.hookKind === MigrationHookKind.HELM_PRE_UPGRADE;
    const saHook: { [key: string]: string } = helm
      ? { 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-delete-policy': 'before-hook-creation', 'helm.sh/hook-weight': '-1' }
      : { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation', 'argocd.argoproj.io/sync-wave': '-1' };
    const jobHook: { [key: string]: string } = helm
      // Kept after a failure for its logs; recreated before the next attempt.
      ? { 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded', 'helm.sh/hook-weight': '0' }
      : { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded' };

    // cdk8s-plus writes exactly this ServiceAccount (docs/architecture.md, "Typed Kubernetes objects").
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: {
        name: saName,
        namespace: ns,
        labels,
        annotations: saHook,
      },
      automountToken: false,
    });

    const podAnnotations: { [key: string]: string } = {};
    const volumes: Volume[] = [{ name: 'tmp', emptyDir: { sizeLimit: quantity(res.ephemeralStorageLimit) } }];
    if (props.vault) {
      Object.assign(podAnnotations, {
        'vault.hashicorp.com/agent-inject': 'true',
        'vault.hashicorp.com/agent-pre-populate-only': 'true',
        'vault.hashicorp.com/role': props.vault.role,
        ...(props.vault.authPath ? { 'vault.hashicorp.com/auth-path': props.vault.authPath } : {}),
        'vault.hashicorp.com/agent-inject-secret-db': props.vault.secretPath,
        'vault.hashicorp.com/agent-service-account-token-volume-name': 'vault-token',
        // The agent runs as the migration's UID/GID (K25), sized like every other container (K32).
        'vault.hashicorp.com/agent-run-as-user': String(MIGRATION_UID),
        'vault.hashicorp.com/agent-run-as-group': String(MIGRATION_UID),
        'vault.hashicorp.com/agent-requests-cpu': '50m',
        'vault.hashicorp.com/agent-limits-cpu': '250m',
        'vault.hashicorp.com/agent-requests-mem': '64Mi',
        'vault.hashicorp.com/agent-limits-mem': '128Mi',
        'vault.hashicorp.com/agent-requests-ephemeral': '64Mi',
        'vault.hashicorp.com/agent-limits-ephemeral': '128Mi',
      });
      volumes.push({
        name: 'vault-token',
        projected: { sources: [{ serviceAccountToken: { audience: env.vaultTokenAudience, expirationSeconds: 600, path: 'token' } }] },
      });
    }
    const container: Container = {
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
        requests: quantities({ 'cpu': res.cpuRequest, 'memory': res.memoryRequest, 'ephemeral-storage': res.ephemeralStorageRequest }),
        limits: quantities({ 'cpu': res.cpuLimit, 'memory': res.memoryLimit, 'ephemeral-storage': res.ephemeralStorageLimit }),
      },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    };
    this.job = kubeObject(this, 'Resource', KubeJob, {
      metadata: {
        name: this.jobName,
        namespace: ns,
        labels,
        // Recreated on every sync; kept after a failure so the logs can be read.
        annotations: jobHook,
      },
      spec: {
        backoffLimit: backoff,
        activeDeadlineSeconds: deadline,
        ttlSecondsAfterFinished: ttl,
        template: {
          metadata: { labels, ...(props.vault ? { annotations: podAnnotations } : {}) },
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
    this.job.node.addDependency(ApiObject.of(this.serviceAccount));
  }
}

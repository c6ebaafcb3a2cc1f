import * as authBackend from '@cdktf/provider-vault/lib/auth-backend';
import * as kubernetesAuthBackendConfig from '@cdktf/provider-vault/lib/kubernetes-auth-backend-config';
import * as kvSecretBackendV2 from '@cdktf/provider-vault/lib/kv-secret-backend-v2';
import * as mount from '@cdktf/provider-vault/lib/mount';
import * as policy from '@cdktf/provider-vault/lib/policy';
import { Construct } from 'constructs';
import { EnvironmentClass } from '../model/environment-class';
import {
  environmentVaultNames, EnvironmentVaultNames, PREVIEW_MIGRATION_POLICY, PREVIEW_NAME_PREFIX, PREVIEW_TENANT_POLICY,
} from '../model/names';
import { Period } from '../model/period';

/** What the previews' host stack needs to create the shared preview Vault resources. */
export interface PreviewVaultHostProps {
  /** The API server of the cluster the previews run in, as Vault reaches it (the host stack's `var.vault_kubernetes_host`). */
  readonly kubernetesHost: string;
  /** Its CA certificate (the host stack's `var.vault_kubernetes_ca_cert`). */
  readonly kubernetesCaCert: string;
  /**
   * Lease TTL of the previews' dynamic database credentials.
   * @default Period.hours(1)
   */
  readonly databaseCredentialTtl?: Period;
  /**
   * Longest lease of those credentials.
   * @default Period.hours(24)
   */
  readonly databaseCredentialMaxTtl?: Period;
}

/**
 * The Vault resources every preview shares, created by the reviewed stack of the previews' host environment (applied
 * from the default branch; docs/vault.md "Previews"), so that a preview's own stack, synthesized from a pull
 * request's code, creates no mount, auth backend or policy and adds roles only (issue 21 item 1):
 *
 * - mounts `kv-preview` (KV v2), `database-preview`, auth backend `kubernetes-preview` and its configuration;
 * - policy `env-preview` (the previews' secret operators: `kv-preview/*` paths of `preview-*` namespaces);
 * - templated policies `preview-tenant` and `preview-migrate`: a token gets exactly the KV prefix, database role and
 *   cache role named after the namespace of the service account it logged in with (the Kubernetes auth alias's
 *   `service_account_namespace`), so one policy serves every preview tenant and reaches none of the others.
 *
 * A preview's roles use the names of `tenantVaultNames` (`<namespace>`, `<namespace>-db`, `<namespace>-migrate`).
 */
export class PreviewVaultHost extends Construct {
  /** The shared names (`kv-preview`, `database-preview`, `kubernetes-preview`, `env-preview`). */
  public readonly names: EnvironmentVaultNames;
  public readonly kvMount: mount.Mount;
  public readonly databaseMount: mount.Mount;
  public readonly kubernetesAuth: authBackend.AuthBackend;
  public readonly tenantPolicy: policy.Policy;
  public readonly migrationPolicy: policy.Policy;
  public readonly environmentPolicy: policy.Policy;

  constructor(scope: Construct, id: string, props: PreviewVaultHostProps) {
    super(scope, id);
    const n = environmentVaultNames({ name: PREVIEW_NAME_PREFIX });
    this.names = n;
    const cls = EnvironmentClass.PREVIEW;
    this.kvMount = new mount.Mount(this, 'Kv', {
      path: n.kvMount,
      type: 'kv',
      options: { version: '2' },
      description: 'KV v2 secrets of every preview, under kv-preview/data/<namespace>/ (docs/vault.md "Previews")',
    });
    new kvSecretBackendV2.KvSecretBackendV2(this, 'KvConfig', { mount: this.kvMount.path, maxVersions: 10, casRequired: false });
    this.databaseMount = new mount.Mount(this, 'Database', {
      path: n.databaseMount,
      type: 'database',
      description: 'Dynamic PostgreSQL credentials of every preview (connections and roles named after the namespace)',
      defaultLeaseTtlSeconds: (props.databaseCredentialTtl ?? Period.hours(1)).toSeconds(),
      maxLeaseTtlSeconds: (props.databaseCredentialMaxTtl ?? Period.hours(24)).toSeconds(),
    });
    this.kubernetesAuth = new authBackend.AuthBackend(this, 'KubernetesAuth', {
      type: 'kubernetes',
      path: n.kubernetesAuthMount,
      description: 'Workloads of every preview (roles named after the namespace, bound to the templated preview policies)',
      tune: [{ defaultLeaseTtl: cls.vaultTokenTtl.toGoDuration(), maxLeaseTtl: cls.vaultTokenMaxTtl.toGoDuration(), tokenType: 'default-service' }],
    });
    // No token_reviewer_jwt: Vault reviews tokens with its own short-lived pod token (V08).
    new kubernetesAuthBackendConfig.KubernetesAuthBackendConfig(this, 'KubernetesAuthConfig', {
      backend: this.kubernetesAuth.path,
      kubernetesHost: props.kubernetesHost,
      kubernetesCaCert: props.kubernetesCaCert,
      disableLocalCaJwt: false,
    });
    // Written by hand, not with VaultPolicyDocument: its paths are literal, these are Vault ACL templates.
    const ns = `{{identity.entity.aliases.${this.kubernetesAuth.accessor}.metadata.service_account_namespace}}`;
    this.tenantPolicy = new policy.Policy(this, 'TenantPolicy', {
      name: PREVIEW_TENANT_POLICY,
      policy: previewTenantPolicy(n, ns),
    });
    this.migrationPolicy = new policy.Policy(this, 'MigrationPolicy', {
      name: PREVIEW_MIGRATION_POLICY,
      policy: previewMigrationPolicy(n, ns),
    });
    this.environmentPolicy = new policy.Policy(this, 'EnvironmentPolicy', {
      name: n.environmentPolicy,
      policy: [
        rule(`${n.kvMount}/data/${PREVIEW_NAME_PREFIX}*`, ['create', 'read', 'update', 'patch', 'delete']),
        rule(`${n.kvMount}/metadata/${PREVIEW_NAME_PREFIX}*`, ['read', 'list', 'delete']),
      ].join('\n'),
    });
  }
}

function rule(path: string, capabilities: string[]): string {
  return `path "${path}" {\n  capabilities = [${capabilities.map(c => `"${c}"`).join(', ')}]\n}\n`;
}

/**
 * The preview tenant policy with `namespace` standing for the logged-in service account's namespace: the template
 * (`{{identity…service_account_namespace}}`) in the host's stack, a namespace when a test checks what it grants.
 * The same rules as a long-lived tenant policy (src/tf/vault-bootstrap.ts `TenantVault`), keyed by the namespace.
 */
export function previewTenantPolicy(n: EnvironmentVaultNames, namespace: string): string {
  return [
    rule(`${n.kvMount}/data/${namespace}/*`, ['read']),
    rule(`${n.kvMount}/metadata/${namespace}/*`, ['read', 'list']),
    rule(`${n.kvMount}/data/${namespace}/backup/*`, ['deny']),
    rule(`${n.kvMount}/metadata/${namespace}/backup/*`, ['deny']),
    rule(`${n.databaseMount}/creds/${namespace}-db`, ['read']),
    rule(`${n.cacheMount}/creds/${namespace}-cache`, ['read']),
  ].join('\n');
}

/** The preview migration policy: the `<namespace>-migrate` credentials of the logged-in namespace. */
export function previewMigrationPolicy(n: EnvironmentVaultNames, namespace: string): string {
  return rule(`${n.databaseMount}/creds/${namespace}-migrate`, ['read']);
}

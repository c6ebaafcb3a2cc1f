/**
 * The Vault Agent side of a tenant's backup pods (F9): which credential files the injector renders for the backup and
 * for the restore drill, their Go templates, and the pod annotations that ask for them. Pure functions of a
 * TenantBackupPlan; BackupSchedule puts the annotations on its pod templates.
 */
import { BackupPlanStore, TenantBackupPlan } from '../model/backup-plan';
import { BACKUP_POD_PATHS } from '../model/backup-script-options';

/** Where credential files are rendered by the Vault Agent (`/vault/secrets/<file>`). */
export const VAULT_SECRETS_DIR = BACKUP_POD_PATHS.secrets;
/** UID and GID of every backup container (K25). */
export const BACKUP_UID = 10001;
/** Name of the libpq service in the rendered service file (`PGSERVICE`). */
export const BACKUP_PG_SERVICE = 'inopsio-backup';
/** Volume of the projected service-account token the agent logs in with. */
export const VAULT_TOKEN_VOLUME = 'vault-token';

/** Resources of the injected Vault Agent init container (K32–K34). */
const AGENT_RESOURCES = { requestsCpu: '50m', limitsCpu: '250m', requestsMem: '64Mi', limitsMem: '128Mi', requestsEphemeral: '64Mi', limitsEphemeral: '128Mi' };

/**
 * The injected Vault agent's user (the tenant pods' UID/GID 10001, K25) and resources (K32–K34): the same for the
 * backup pods and the tenant's cdk8s-plus workloads.
 */
export function vaultAgentHardening(): { [key: string]: string } {
  return {
    'vault.hashicorp.com/agent-run-as-user': String(BACKUP_UID),
    'vault.hashicorp.com/agent-run-as-group': String(BACKUP_UID),
    'vault.hashicorp.com/agent-requests-cpu': AGENT_RESOURCES.requestsCpu,
    'vault.hashicorp.com/agent-limits-cpu': AGENT_RESOURCES.limitsCpu,
    'vault.hashicorp.com/agent-requests-mem': AGENT_RESOURCES.requestsMem,
    'vault.hashicorp.com/agent-limits-mem': AGENT_RESOURCES.limitsMem,
    'vault.hashicorp.com/agent-requests-ephemeral': AGENT_RESOURCES.requestsEphemeral,
    'vault.hashicorp.com/agent-limits-ephemeral': AGENT_RESOURCES.limitsEphemeral,
  };
}

/** A credential file rendered by the agent: name under /vault/secrets, Vault path, Go template. */
export interface AgentFile {
  readonly file: string;
  readonly path: string;
  readonly template: string;
}

/** The credential files of the backup pods and of the restore-drill pods. */
export function backupAgentFiles(plan: TenantBackupPlan): { backup: AgentFile[]; drill: AgentFile[] } {
  const storeFiles = (s: BackupPlanStore): AgentFile[] => [
    { file: `${s.alias}-access-key`, path: s.accessKey.path, template: kvTemplate(s.accessKey.path, s.accessKey.field) },
    { file: `${s.alias}-secret-key`, path: s.secretKey.path, template: kvTemplate(s.secretKey.path, s.secretKey.field) },
  ];
  // A tenant without a database: no database credentials are requested at all (its backup is its objects).
  const db = plan.database?.credentialsPath;
  const drill = plan.drill?.credentialsPath;
  return {
    backup: [
      ...(db ? [
        { file: 'pgpass', path: db, template: pgpassTemplate(db) },
        { file: 'pg-service.conf', path: db, template: pgServiceTemplate(db) },
      ] : []),
      ...storeFiles(plan.primaryStore),
      ...storeFiles(plan.offsiteStore),
      ...(plan.objectsStore ? storeFiles(plan.objectsStore) : []),
    ],
    drill: [
      ...(drill ? [
        { file: 'drill-pgpass', path: drill, template: pgpassTemplate(drill) },
        { file: 'drill-pg-service.conf', path: drill, template: pgServiceTemplate(drill, plan.drill!.sessionRole) },
      ] : []),
      ...storeFiles(plan.primaryStore),
    ],
  };
}

/** The injector annotations of one pod: log in once in an init container, render `files`, each 0400. */
export function vaultAgentAnnotations(plan: TenantBackupPlan, container: string, files: readonly AgentFile[]): { [key: string]: string } {
  const annotations: { [key: string]: string } = {
    'vault.hashicorp.com/agent-inject': 'true',
    // A sidecar would keep the Job running forever: fetch once, in an init container, before the script starts.
    'vault.hashicorp.com/agent-pre-populate-only': 'true',
    'vault.hashicorp.com/agent-init-first': 'true',
    'vault.hashicorp.com/agent-inject-containers': container,
    'vault.hashicorp.com/role': plan.names.vaultRole,
    'vault.hashicorp.com/auth-path': plan.names.vaultAuthPath,
    'vault.hashicorp.com/agent-service-account-token-volume-name': VAULT_TOKEN_VOLUME,
    // The agent runs as the same UID/GID as the script (K25), so the 0400 files below are readable by both.
    ...vaultAgentHardening(),
  };
  if (plan.vaultAgentImage) annotations['vault.hashicorp.com/agent-image'] = plan.vaultAgentImage.reference;
  for (const f of files) {
    annotations[`vault.hashicorp.com/agent-inject-secret-${f.file}`] = f.path;
    annotations[`vault.hashicorp.com/agent-inject-template-${f.file}`] = f.template;
    annotations[`vault.hashicorp.com/agent-inject-perms-${f.file}`] = '0400';
    annotations[`vault.hashicorp.com/error-on-missing-key-${f.file}`] = 'true';
  }
  return annotations;
}

/** pgpass line for any host/port/database, with `\` and `:` escaped as libpq requires. */
function pgpassTemplate(path: string): string {
  const esc = (field: string) => `{{ ${field} | replaceAll "\\\\" "\\\\\\\\" | replaceAll ":" "\\\\:" }}`;
  return `{{- with secret "${path}" -}}\n*:*:*:${esc('.Data.username')}:${esc('.Data.password')}\n{{- end }}\n`;
}

/** libpq service file naming the dynamic role (a service file overrides PGUSER). */
function pgServiceTemplate(path: string, role?: string): string {
  const options = role ? `options=-c role=${role}\n` : '';
  return `{{- with secret "${path}" -}}\n[${BACKUP_PG_SERVICE}]\nuser={{ .Data.username }}\n${options}{{- end }}\n`;
}

/** One field of a KV v2 secret, alone in the file. */
function kvTemplate(path: string, key: string): string {
  return `{{- with secret "${path}" -}}{{ index .Data.data "${key}" }}{{- end }}`;
}

/**
 * V01–V12 over Terraform stack JSON: Vault policies (HCL, parsed), tokens, providers, state hygiene, audit devices,
 * auth roles, database secrets engine, KV and environment isolation.
 */
import { atTf, entries, list, parsedVaultPolicy, TF } from './common';
import { isCiPolicyName } from '../../model/ci-access';
import { environmentNameReferences, isPreviewName, PREVIEW_VAULT_SCOPE, tenantPolicyName, tenantVaultNames } from '../../model/names';
import { TerraformResource, TerraformStackDocument } from '../contents';
import { PolicyContext, PolicyRule, ref, Report, rule, VAULT } from '../rule';
import { isSafeValue } from '../secret-patterns';
import { SecretScanner } from '../secret-scan';
import { PolicySeverity } from '../types';

const FORBIDDEN_ROOTS = ['sys', 'auth', 'identity'];
const KNOWN_CAPABILITIES = new Set(['create', 'read', 'update', 'patch', 'delete', 'list', 'deny', 'subscribe', 'recover']);
const TF_REF = /^\$\{[^}]+\}$/;

/** A number from a Terraform value (numbers, numeric strings, Go durations). */
function seconds(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!m || value === '') return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

function tfRule(def: {
  id: string;
  title: string;
  description: string;
  references: ReturnType<typeof ref>[];
  types: string[];
  check: (r: TerraformResource, report: Report, ctx: PolicyContext) => void;
}): PolicyRule {
  return rule<TerraformResource>({
    id: def.id,
    title: def.title,
    description: def.description,
    references: def.references,
    severity: PolicySeverity.ERROR,
    targets: TF,
    subjects: ctx => ctx.tf(...def.types),
    where: atTf,
    check: def.check,
  });
}

/**
 * The policy text Vault receives, as far as the stack knows it: a Terraform attribute reference (the auth mount's
 * accessor in the previews' templated policies, `{{identity.entity.aliases.<accessor>…}}`) becomes the placeholder
 * `tf-reference`, since Terraform substitutes it before Vault parses the HCL.
 */
function policyText(r: TerraformResource): string {
  return String(r.body?.policy ?? '').replace(/\$\{[a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z_]+\}/g, 'tf-reference');
}

const V01 = tfRule({
  id: 'V01',
  title: 'Vault policies grant no sys/, auth/ or identity/ path, no root-level glob and never sudo or root',
  description: 'sys/ and auth/ administer Vault itself; sudo unlocks root-protected endpoints; a policy that reaches them is an admin policy.',
  references: [VAULT('Least privilege policies'), ref('Vault', 'Policies: root-protected API endpoints')],
  types: ['vault_policy'],
  check: (r, report, ctx) => {
    const parsed = parsedVaultPolicy(ctx, policyText(r));
    for (const e of parsed.errors) report('policy', `cannot be parsed: ${e}`, r.body?.name, 'render policies with VaultPolicyDocument');
    // The CI's own roles administer the environment's mounts, policies and auth backend (that is what a Terraform
    // apply does); their reach is proven by evaluating them (test/platform/ci-wiring.test.ts), not refused here.
    if (isCiPolicyName(r.environment, String(r.body?.name ?? ''))) return;
    for (const p of parsed.paths) {
      const root = p.path.split('/')[0];
      if (FORBIDDEN_ROOTS.includes(root)) report(`policy path "${p.path}"`, `grants a "${root}/" path`, p.path, 'generated policies never reach sys/, auth/ or identity/');
      if (root === '*' || root === '+' || root.endsWith('*')) report(`policy path "${p.path}"`, 'starts with a glob that also matches sys/ and auth/', p.path, 'name the mount explicitly');
      const bad = p.capabilities.filter(c => c === 'sudo' || c === 'root' || !KNOWN_CAPABILITIES.has(c));
      if (bad.length > 0) report(`policy path "${p.path}" capabilities`, 'grants sudo, root or an unknown capability', bad, 'use create, read, update, patch, delete, list or deny');
    }
  },
});

const V02 = tfRule({
  id: 'V02',
  title: 'Vault policy paths: "*" only last, "+" only as a whole segment; tenant policies stay under the tenant\'s own prefixes',
  description: 'A glob in the middle of a path matches other tenants\' secrets; a tenant policy outside <mount>/data/<env>/<tenant>/ crosses the tenant boundary.',
  references: [VAULT('Least privilege policies'), ref('Vault', 'Policy path globbing')],
  types: ['vault_policy'],
  check: (r, report, ctx) => {
    const name = String(r.body?.name ?? '');
    const env = r.environment;
    const tenantPolicyPrefix = tenantPolicyName(env, '');
    const tenant = name.startsWith(tenantPolicyPrefix) && name.length > tenantPolicyPrefix.length ? name.slice(tenantPolicyPrefix.length) : undefined;
    for (const p of parsedVaultPolicy(ctx, policyText(r)).paths) {
      const star = p.path.indexOf('*');
      if (star >= 0 && star !== p.path.length - 1) report(`policy path "${p.path}"`, 'uses "*" before the end', p.path, 'a glob may only be the last character');
      if (p.path.replace(/\*$/, '').split('/').some(s => s.includes('+') && s !== '+')) report(`policy path "${p.path}"`, 'uses "+" inside a segment', p.path, '"+" stands for exactly one whole segment');
      if (p.path.split('/').some(s => s === '..' || s === '.') || p.path.includes('//')) report(`policy path "${p.path}"`, 'has a relative or empty segment', p.path, 'write a clean path');
      if (tenant !== undefined) {
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(tenant) || tenant.length > 63) report('name', 'has a tenant id that is not a DNS label', tenant, 'tenant ids are DNS-1123 labels (B01)');
        const n = tenantVaultNames({ name: env }, { id: tenant });
        const allowed = [
          `${n.kvDataPrefix}/`,
          `${n.kvMetadataPrefix}/`,
          `${n.databaseMount}/creds/${tenant}-`,
          `${n.cacheMount}/creds/${tenant}-`,
        ];
        // KV prefixes end in "/", so a trailing glob stays inside the tenant; a role prefix ends in "-", where a glob
        // ("acme-*") would also match the roles of a tenant named "acme-corp".
        const inside = allowed.some(a => p.path.startsWith(a) && (a.endsWith('/') || !/[*+]/.test(p.path.slice(a.length))));
        if (!inside) {
          report(`policy path "${p.path}"`, `is outside tenant "${tenant}"'s prefixes`, p.path, `tenant rules stay under ${allowed[0]}, ${allowed[1]} and its own credential roles`);
        }
      }
    }
  },
});

const V03 = tfRule({
  id: 'V03',
  title: 'No root tokens, no orphan or periodic tokens for applications',
  description: 'Root tokens bypass every policy; orphan tokens survive the revocation of their parent; periodic tokens never expire while renewed.',
  references: [VAULT('Disable root tokens'), VAULT('Use short TTLs'), ref('Vault', 'Token hierarchies and orphan tokens')],
  types: ['vault_token', 'vault_token_auth_backend_role', 'vault_kubernetes_auth_backend_role', 'vault_approle_auth_backend_role', 'vault_jwt_auth_backend_role'],
  check: (r, report) => {
    const b = r.body ?? {};
    const policies = [...list(b.policies), ...list(b.token_policies), ...list(b.allowed_policies)].map(String);
    if (policies.includes('root')) report('policies', 'grants the root policy', policies, 'grant the narrow environment or tenant policy');
    if (b.no_parent === true || b.orphan === true) report(b.orphan === true ? 'orphan' : 'no_parent', 'creates orphan tokens', true, 'let tokens inherit their parent so revocation reaches them');
    for (const f of ['period', 'token_period']) {
      const s = seconds(b[f]);
      if (s !== undefined && s > 0) report(f, 'creates periodic tokens that never expire while renewed', b[f], 'use token_ttl and token_max_ttl');
    }
  },
});

const V04 = rule<TerraformStackDocument>({
  id: 'V04',
  severity: PolicySeverity.ERROR,
  title: 'No token literal in provider configuration; TLS always verified',
  description: 'A token in configuration sits in git and plans; skipping TLS verification hands the token to whoever sits in the network path.',
  targets: TF,
  references: [VAULT('End-to-end TLS'), ref('Terraform Vault provider', 'token from VAULT_TOKEN, skip_tls_verify')],
  subjects: ctx => [...ctx.stacks],
  where: s => ({ resource: `${s.environment}/provider`, file: s.file }),
  check: (s, report) => {
    for (const [name, configs] of entries(s.json.provider)) {
      list(configs).forEach((cfg: any, i: number) => {
        const at = `provider.${name}[${i}]`;
        if (name === 'vault') {
          if (cfg?.token !== undefined && !TF_REF.test(String(cfg.token))) report(`${at}.token`, 'is a literal', '<redacted>', 'remove it: the provider reads VAULT_TOKEN at run time');
          if (cfg?.skip_tls_verify === true) report(`${at}.skip_tls_verify`, 'disables TLS verification', true, 'remove it; trust a private CA with VAULT_CACERT');
          if (typeof cfg?.address === 'string' && cfg.address.startsWith('http://')) report(`${at}.address`, 'is plain http', cfg.address, 'use https://');
        }
        const k = cfg?.kubernetes ?? {};
        const ks = Array.isArray(k) ? k : [k];
        ks.forEach((kc: any) => {
          if (kc?.insecure === true) report(`${at}.kubernetes.insecure`, 'disables TLS verification of the API server', true, 'remove it');
          for (const f of ['token', 'password', 'client_key']) {
            if (kc?.[f] !== undefined && !TF_REF.test(String(kc[f]))) report(`${at}.kubernetes.${f}`, 'is a literal credential', '<redacted>', 'use config_path/config_context or exec credentials');
          }
        });
      });
    }
  },
});

const SECRET_ATTRIBUTE = /(?:^|_)(?:password|secret|token|secret_id|private_key|client_secret|api_key|access_key|secret_key|credentials|jwt|data_json)$/;

const V05 = rule<TerraformResource | TerraformStackDocument>({
  id: 'V05',
  severity: PolicySeverity.ERROR,
  title: 'No secret values written through Terraform (state and plans are plaintext); write-only arguments and ephemeral variables only',
  description: 'Terraform stores every argument in state and shows it in plans; only write-only (`*_wo`) arguments and ephemeral variables stay out.',
  targets: TF,
  references: [ref('Terraform', 'Write-only arguments and ephemeral values'), VAULT('Do not store secrets in Terraform state')],
  subjects: ctx => [...ctx.resources, ...ctx.stacks],
  where: s => ('type' in s ? atTf(s) : { resource: `${s.environment}/variables`, file: s.file }),
  check: (s, report) => {
    if (!('type' in s)) {
      for (const [name, v] of entries(s.json.variable)) {
        if (/(password|secret|token|credential|private_key|api_key)/i.test(name) && (v?.ephemeral !== true || v?.sensitive !== true)) {
          report(`variable.${name}`, 'holds secrets but is not ephemeral and sensitive', { ephemeral: v?.ephemeral, sensitive: v?.sensitive }, 'mark it ephemeral = true and sensitive = true, and pass it only to write-only (*_wo) arguments');
        }
      }
      return;
    }
    const r = s;
    // A KV v2 secret written only through data_json_wo (an ephemeral value, e.g. the tenants' object-store keys) stays
    // out of state: only a readable data_json puts the secret there.
    const writeOnlyKv = r.type === 'vault_kv_secret_v2' && (r.body as any)?.data_json === undefined && (r.body as any)?.data_json_wo !== undefined;
    if (!writeOnlyKv && ['vault_kv_secret_v2', 'vault_kv_secret', 'vault_generic_secret', 'vault_token', 'vault_approle_auth_backend_role_secret_id'].includes(r.type)) {
      report(r.type, 'writes or reads a secret value through Terraform (it lands in state)', r.name, 'write secret values out of band (vault kv put in a pipeline step); Terraform manages mounts, policies, roles and metadata only');
    }
    const walk = (value: unknown, path: string) => {
      for (const [k, v] of entries(value)) {
        if (k === '//' || k === 'depends_on' || k === 'lifecycle') continue;
        const here = path ? `${path}.${k}` : k;
        if (typeof v === 'string' && SECRET_ATTRIBUTE.test(k) && !k.endsWith('_wo') && !isSafeValue(v) && !(k === 'data_json' && isHarmlessJson(v))) {
          report(here, 'is a secret argument that Terraform stores in state', '<redacted>', `use the write-only ${k}_wo argument with an ephemeral variable`);
        } else if (v !== null && typeof v === 'object') {
          walk(Array.isArray(v) ? Object.fromEntries(v.map((x, i) => [String(i), x])) : v, here);
        }
      }
    };
    walk(r.body, '');
  },
});

/** `data_json` of a generic endpoint that carries no secret (`{}`, rotation triggers). */
function isHarmlessJson(text: string): boolean {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === 'object' && SecretScanner.scanText(JSON.stringify(v, null, 1)).length === 0
      && !Object.keys(v).some(k => /password|secret|token|key/i.test(k));
  } catch {
    return false;
  }
}

/** An environment's audit devices, over all of its stacks (a sharded environment keeps them in its base stack). */
interface AuditSubject {
  readonly environment: string;
  readonly file: string;
  readonly devices: TerraformStackDocument['resources'];
}

const V06 = rule<AuditSubject>({
  id: 'V06',
  severity: PolicySeverity.ERROR,
  title: 'Two audit devices (production; any environment that owns audit devices), hmac_accessor true, log_raw false',
  description: 'Vault blocks requests when no audit device can write, so one device is a single point of failure; raw logging writes secrets to the log.',
  targets: TF,
  references: [VAULT('Enable auditing'), ref('Vault', 'Audit devices: blocked audit devices'), ref('ISO 27001', 'A.8.15 Logging')],
  subjects: ctx => {
    const byEnvironment = new Map<string, { file: string; devices: TerraformStackDocument['resources'] }>();
    for (const s of ctx.stacks) {
      const devices = s.resources.filter(r => r.type === 'vault_audit');
      const entry = byEnvironment.get(s.environment);
      if (!entry) {
        byEnvironment.set(s.environment, { file: s.file, devices: [...devices] });
      } else {
        entry.devices.push(...devices);
        if (devices.length > 0 && !entry.devices.some(d => d.file === entry.file)) entry.file = s.file;
      }
    }
    return [...byEnvironment].filter(([env, e]) => ctx.facts(env).production || e.devices.length > 0)
      .map(([environment, e]) => ({ environment, file: e.file, devices: e.devices }));
  },
  where: s => ({ resource: `${s.environment}/vault_audit`, file: s.file }),
  check: (s, report) => {
    const devices = s.devices;
    if (devices.length < 2) report('vault_audit', 'has fewer than two audit devices', devices.length, 'add a second device (file + stdout/socket); VaultBootstrap creates two for persistent and permanent classes');
    for (const d of devices) {
      const o = d.body?.options ?? {};
      if (String(o.hmac_accessor ?? 'true') !== 'true') report(`${d.resource} options.hmac_accessor`, 'is not true', o.hmac_accessor, 'set hmac_accessor = "true"');
      if (String(o.log_raw ?? 'false') !== 'false') report(`${d.resource} options.log_raw`, 'is not false', o.log_raw, 'set log_raw = "false": raw logs contain secrets');
      if (d.body?.local === true) report(`${d.resource} local`, 'is true', true, 'replicate audit devices (local = false)');
    }
  },
});

const V07 = tfRule({
  id: 'V07',
  title: 'Kubernetes auth roles: exact service accounts and namespaces (never "*"), audience set, token_ttl ≤ 1h, token_max_ttl ≤ 24h',
  description: 'A "*" binding lets any pod of any namespace log in as the tenant; tokens without an audience can be replayed against other services.',
  references: [VAULT('Use short TTLs'), ref('Vault', 'Kubernetes auth: bound_service_account_names'), ref('Vault', 'Kubernetes auth: audience')],
  types: ['vault_kubernetes_auth_backend_role'],
  check: (r, report) => {
    const b = r.body ?? {};
    for (const f of ['bound_service_account_names', 'bound_service_account_namespaces']) {
      const v = list(b[f]).map(String);
      if (v.length === 0) report(f, 'is empty', b[f], 'bind exact names');
      else if (v.some(x => x.includes('*'))) report(f, 'contains "*"', v, 'bind exact names, never "*"');
    }
    if (typeof b.audience !== 'string' || b.audience === '') report('audience', 'is not set', b.audience, 'require an audience, e.g. "vault"');
    const ttl = seconds(b.token_ttl);
    const max = seconds(b.token_max_ttl);
    if (ttl === undefined || ttl <= 0 || ttl > 3600) report('token_ttl', 'is not set to at most 1 hour', b.token_ttl, 'use a short token_ttl, e.g. 1800');
    if (max === undefined || max <= 0 || max > 86400) report('token_max_ttl', 'is not set to at most 24 hours', b.token_max_ttl, 'bound renewals, e.g. 7200');
    if (ttl !== undefined && max !== undefined && ttl > max) report('token_ttl', `is above token_max_ttl ${b.token_max_ttl}`, b.token_ttl, 'make token_ttl ≤ token_max_ttl (B04)');
  },
});

const V08 = tfRule({
  id: 'V08',
  title: 'Kubernetes auth config: CA certificate set, https API server, no long-lived reviewer JWT in state',
  description: 'Without the CA Vault cannot verify the API server; a token_reviewer_jwt in Terraform is a long-lived credential in state.',
  references: [ref('Vault', 'Kubernetes auth: use local service account token as reviewer JWT'), VAULT('End-to-end TLS')],
  types: ['vault_kubernetes_auth_backend_config'],
  check: (r, report) => {
    const b = r.body ?? {};
    if (typeof b.kubernetes_ca_cert !== 'string' || b.kubernetes_ca_cert === '') report('kubernetes_ca_cert', 'is not set', b.kubernetes_ca_cert, 'pass the API server CA (a Terraform variable)');
    if (typeof b.kubernetes_host === 'string' && b.kubernetes_host.startsWith('http://')) report('kubernetes_host', 'is plain http', b.kubernetes_host, 'use https://');
    if (b.token_reviewer_jwt !== undefined) report('token_reviewer_jwt', 'stores a long-lived reviewer JWT in state', '<redacted>', 'remove it: Vault reviews tokens with its own short-lived pod token (disable_local_ca_jwt = false)');
  },
});

const PRIVILEGED_SQL = /\b(?<!NO)(SUPERUSER|CREATEROLE|CREATEDB|REPLICATION|BYPASSRLS)\b|\bGRANT\s+ALL\b|\bALL\s+PRIVILEGES\b|\bWITH\s+ADMIN\s+OPTION\b/i;

const V09 = rule<TerraformResource>({
  id: 'V09',
  severity: PolicySeverity.ERROR,
  title: 'Database connections: explicit allowed_roles, verify_connection, verified TLS, root credentials rotated right after creation',
  description: '"*" lets any role of the mount use the connection; an unrotated bootstrap password stays valid outside Vault.',
  targets: TF,
  references: [VAULT('Rotate root credentials'), ref('Vault', 'Database secrets engine: rotate-root')],
  subjects: ctx => ctx.tf('vault_database_secret_backend_connection'),
  where: atTf,
  check: (r, report, ctx) => {
    const b = r.body ?? {};
    const roles = list(b.allowed_roles).map(String);
    if (roles.length === 0 || roles.some(x => x.includes('*'))) report('allowed_roles', 'is empty or contains "*"', b.allowed_roles, 'list the exact roles that may use the connection');
    if (b.verify_connection === false) report('verify_connection', 'is false', false, 'verify the connection at creation');
    for (const plugin of ['postgresql', 'mysql', 'mssql']) {
      const url = b[plugin]?.connection_url ?? (Array.isArray(b[plugin]) ? b[plugin][0]?.connection_url : undefined);
      if (typeof url !== 'string') continue;
      const mode = /[?&]sslmode=([a-z-]+)/.exec(url)?.[1];
      if (plugin === 'postgresql' && mode !== 'verify-full' && mode !== 'verify-ca') report(`${plugin}.connection_url`, 'does not verify the database certificate', `sslmode=${mode ?? '(default prefer)'}`, 'set sslmode=verify-full');
    }
    const name = String(b.name ?? '');
    const rotations = ctx.memo(`V09:${r.environment}`, () => new Set(ctx.tf('vault_generic_endpoint')
      .filter(e => e.environment === r.environment)
      .map(e => /\/rotate-root\/([^/]+)$/.exec(String(e.body?.path ?? ''))?.[1])
      .filter((x): x is string => x !== undefined)));
    const rotated = rotations.has(name) || b.root_rotation_period !== undefined || b.root_rotation_schedule !== undefined;
    if (!rotated) report('root credentials', 'are never rotated', name, 'add a vault_generic_endpoint on <mount>/rotate-root/<name> that depends on the connection (VaultBootstrap does)');
  },
});

const V10 = rule<TerraformResource>({
  id: 'V10',
  severity: PolicySeverity.ERROR,
  title: 'Dynamic database roles: default_ttl ≤ 1h, max_ttl ≤ 24h, least-privilege creation and explicit revocation statements; static roles rotate',
  description: 'Long leases keep leaked credentials valid; privileged creation statements make every lease an admin; without revocation statements users outlive their lease.',
  targets: TF,
  references: [VAULT('Use short TTLs'), ref('Vault', 'Database secrets engine: revocation_statements')],
  subjects: ctx => ctx.tf('vault_database_secret_backend_role', 'vault_database_secret_backend_static_role', 'vault_mount').filter(r => r.type !== 'vault_mount' || r.body?.type === 'database'),
  where: atTf,
  check: (r, report) => {
    const b = r.body ?? {};
    if (r.type === 'vault_mount') {
      const d = seconds(b.default_lease_ttl_seconds);
      const m = seconds(b.max_lease_ttl_seconds);
      if (d === undefined || d > 3600) report('default_lease_ttl_seconds', 'is not at most 1 hour', b.default_lease_ttl_seconds, 'set 3600 or less');
      if (m === undefined || m > 86400) report('max_lease_ttl_seconds', 'is not at most 24 hours', b.max_lease_ttl_seconds, 'set 86400 or less');
      return;
    }
    if (r.type === 'vault_database_secret_backend_static_role') {
      const period = seconds(b.rotation_period);
      if (b.rotation_schedule === undefined && (period === undefined || period > 30 * 86400)) report('rotation_period', 'does not rotate at least every 30 days', b.rotation_period, 'set rotation_period (seconds) or rotation_schedule');
      return;
    }
    const d = seconds(b.default_ttl);
    const m = seconds(b.max_ttl);
    if (d === undefined || d <= 0 || d > 3600) report('default_ttl', 'is not set to at most 1 hour', b.default_ttl, 'set default_ttl ≤ 3600');
    if (m === undefined || m <= 0 || m > 86400) report('max_ttl', 'is not set to at most 24 hours', b.max_ttl, 'set max_ttl ≤ 86400');
    if (d !== undefined && m !== undefined && d > m) report('default_ttl', `is above max_ttl ${b.max_ttl}`, b.default_ttl, 'make default_ttl ≤ max_ttl (B04)');
    const creation = list(b.creation_statements).map(String);
    if (creation.length === 0) report('creation_statements', 'is empty', b.creation_statements, 'create a login role and grant it the tenant\'s application role only');
    creation.forEach((st, i) => {
      if (PRIVILEGED_SQL.test(st)) report(`creation_statements[${i}]`, 'grants more than least privilege', st, 'use NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS and grant one application role');
    });
    if (list(b.revocation_statements).length === 0) report('revocation_statements', 'is empty', b.revocation_statements, 'revoke the role grant and drop the user');
  },
});

const V11 = rule<TerraformResource>({
  id: 'V11',
  severity: PolicySeverity.ERROR,
  title: 'KV v2: max_versions bounded (1–100), cas_required in production',
  description: 'Unbounded versions keep every old secret forever; without check-and-set concurrent writers silently overwrite each other in production.',
  targets: TF,
  references: [ref('Vault', 'KV v2: max_versions and cas_required')],
  subjects: ctx => ctx.tf('vault_kv_secret_backend_v2', 'vault_mount').filter(r => r.type !== 'vault_mount' || r.body?.type === 'kv' || r.body?.type === 'kv-v2'),
  where: atTf,
  check: (r, report, ctx) => {
    const b = r.body ?? {};
    if (r.type === 'vault_mount') {
      if (b.type === 'kv' && String(b.options?.version ?? '1') !== '2') report('options.version', 'is not "2"', b.options?.version, 'mount KV version 2 (versioned, soft delete)');
      return;
    }
    const v = b.max_versions;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 100) report('max_versions', 'is not a whole number from 1 to 100', v, 'bound versions, e.g. 10 (20 in production)');
    if (ctx.facts(r.environment).production && b.cas_required !== true) report('cas_required', 'is not true in production', b.cas_required, 'require check-and-set in production');
  },
});

const V12 = rule<TerraformStackDocument>({
  id: 'V12',
  severity: PolicySeverity.ERROR,
  title: 'One Vault mount per environment (path suffixed -<env>); non-production stacks never reference production mounts, policies, roles, workspaces or buckets',
  description: 'Shared mounts make one environment\'s destroy or policy change hit another; a preview that can read production secrets is production.',
  targets: TF,
  references: [ref('Spec', '§1 Environment parity / isolation'), VAULT('Least privilege policies')],
  subjects: ctx => [...ctx.stacks],
  where: s => ({ resource: `${s.environment}/stack`, file: s.file }),
  check: (s, report, ctx) => {
    for (const r of s.resources.filter(x => x.type === 'vault_mount' || x.type === 'vault_auth_backend')) {
      const p = String(r.body?.path ?? '');
      // The previews' host stack also holds the mounts every preview shares (PreviewVaultHost, V15).
      const sharedPreview = p.endsWith(`-${PREVIEW_VAULT_SCOPE}`) && !isPreviewName(s.environment) && !ctx.facts(s.environment).production;
      if (!p.endsWith(`-${s.environment}`) && !sharedPreview) report(`${r.resource} path`, `is not suffixed with the environment "-${s.environment}"`, p, `mount per environment, e.g. kv-${s.environment}`);
    }
    if (ctx.facts(s.environment).production) return;
    const declared = ctx.environments.filter(e => ctx.facts(e).production);
    const prod = (declared.length > 0 ? declared : ['prod']).filter(e => e !== s.environment);
    const text = JSON.stringify({ ...s.json, '//': undefined });
    for (const p of prod) {
      for (const { regex, what } of environmentNameReferences(p)) {
        const m = regex.exec(text);
        if (m) report('stack', `references ${what} of production environment "${p}"`, m[0], 'a non-production environment uses only its own mounts, policies, roles and buckets (V12, B12)');
      }
    }
  },
});

/**
 * Vault resources that mount an engine, enable an auth method or write a policy: a preview's stack, synthesized from a
 * pull request's code, must not contain any (issue 21 item 1); its host's reviewed stack creates them for it.
 */
export const PREVIEW_FORBIDDEN_VAULT_TYPES: readonly string[] = [
  'vault_policy', 'vault_egp_policy', 'vault_rgp_policy', 'vault_mount', 'vault_auth_backend', 'vault_jwt_auth_backend',
  'vault_database_secrets_mount', 'vault_kv_secret_backend_v2', 'vault_audit', 'vault_audit_request_header',
  'vault_generic_secret', 'vault_github_auth_backend', 'vault_ldap_auth_backend', 'vault_okta_auth_backend',
  'vault_gcp_auth_backend', 'vault_aws_auth_backend_role', 'vault_identity_group', 'vault_identity_entity',
  'vault_token', 'vault_token_auth_backend_role',
];

const V15 = tfRule({
  id: 'V15',
  title: 'A preview\'s stack creates Vault roles only: no policy, mount, auth backend, audit device, identity or token',
  description: 'A preview\'s stack is synthesized and applied from a pull request\'s code; if it may write policies, mounts or auth backends, the pull request controls the shared non-production Vault (`path "*"`). Its host\'s reviewed stack creates the shared preview mounts, auth backend and templated policies (PreviewVaultHost); the preview adds roles within them.',
  references: [VAULT('Least privilege policies'), ref('Spec', '§3 Provisioning: previews')],
  types: PREVIEW_FORBIDDEN_VAULT_TYPES as string[],
  check: (r, report) => {
    if (!isPreviewName(r.environment)) return;
    report(r.type, `is in the stack of preview "${r.environment}", which is applied from a pull request's code`, r.body?.name ?? r.body?.path ?? r.name,
      'create it in the previews\' host stack (PreviewVaultHost, applied from the default branch); a preview adds roles only (docs/vault.md "Previews")');
  },
});

/** V01–V12 and V15 (V13 is in the workflow rules, V14 in the Helm rules). */
export const VAULT_RULES: PolicyRule[] = [V01, V02, V03, V04, V05, V06, V07, V08, V09, V10, V11, V12, V15];

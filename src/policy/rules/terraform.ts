/**
 * T01 over Terraform stack JSON: Terraform expression text (`var.x`, `local.x`, `can(regex(...))`) in a literal string,
 * where Terraform does not evaluate it.
 *
 * In Terraform's JSON syntax a string is a template: only what stands inside `${...}` (or `%{...}`) is an expression;
 * the rest is literal text. A condition written `"can(regex(\"^https://\", var.vault_address))"` is therefore the
 * constant string it looks like, and Terraform refuses the stack ("The condition for variable ... must refer to
 * var..."); a Helm `set` value `"var.database_host"` reaches the chart as those 17 characters. Both are a missing
 * `${...}`. Terraform itself proves the first (test/tf/terraform-engine.test.ts); this rule finds both at synth.
 *
 * Not checked: the places where Terraform reads a bare expression (variable `type`, `depends_on`, `provider`,
 * `lifecycle.ignore_changes`/`replace_triggered_by`, `moved`/`import`/`removed` addresses, the `terraform` block), and
 * text that is data for another engine or for people, where such words are legitimate (DATA_FIELDS).
 */
import { list, TF } from './common';
import { isTenantDataResource } from '../../model/tenant-protection';
import { TerraformResource, TerraformStackDocument } from '../contents';
import { PolicyRule, ref, rule } from '../rule';
import { PolicySeverity } from '../types';

/** Attributes whose value is a bare expression (or an address) in Terraform's JSON syntax, at any block. */
const BARE_EXPRESSION_KEYS = new Set(['depends_on', 'provider', 'providers', 'ignore_changes', 'replace_triggered_by']);

/**
 * Text that is data, not configuration: read by people or by another engine, never meant for Terraform to evaluate.
 * Terraform-like words there are legitimate (a description that names `var.vault_address`, `format(...)` in SQL).
 */
const DATA_FIELDS: ReadonlyArray<{ readonly type: string; readonly field: RegExp; readonly why: string }> = [
  { type: '*', field: /(^|\.)description$/, why: 'prose for people' },
  { type: '*', field: /(^|\.)error_message$/, why: 'prose for people (a validation\'s message)' },
  { type: 'vault_policy', field: /^policy$/, why: 'Vault policy HCL, parsed by Vault' },
  { type: 'vault_database_secret_backend_role', field: /^(creation|revocation|rollback|renew)_statements\[\d+\]$/, why: 'SQL, run by the database' },
  { type: 'vault_database_secret_backend_static_role', field: /^rotation_statements\[\d+\]$/, why: 'SQL, run by the database' },
  { type: 'helm_release', field: /^values\[\d+\]$/, why: 'a YAML document of chart values, read by Helm' },
];

/** Terraform's built-in functions (1.11): a string that is one call of these is an expression someone forgot to wrap. */
const FUNCTIONS = new Set(`abs alltrue anytrue base64decode base64encode base64gzip base64sha256 base64sha512 basename bcrypt can ceil chomp
chunklist cidrhost cidrnetmask cidrsubnet cidrsubnets coalesce coalescelist compact concat contains csvdecode dirname distinct element
endswith ephemeralasnull file filebase64 filebase64sha256 filebase64sha512 fileexists filemd5 fileset filesha1 filesha256 filesha512
flatten floor format formatdate formatlist indent index issensitive join jsondecode jsonencode keys length log lookup lower matchkeys max
md5 merge min nonsensitive one parseint pathexpand plantimestamp pow range regex regexall replace reverse rsadecrypt sensitive
setintersection setproduct setsubtract setunion sha1 sha256 sha512 signum slice sort split startswith strcontains strrev substr sum
templatefile templatestring textdecodebase64 textencodebase64 timeadd timecmp timestamp title tobool tolist tomap tonumber toset tostring
transpose trim trimprefix trimspace trimsuffix try upper urlencode uuid uuidv5 values yamldecode yamlencode zipmap`.split(/\s+/));

/** Named values of the Terraform language, as they start a reference. */
const NAMED_VALUES = [
  'var\\.[A-Za-z_][\\w-]*',
  'local\\.[A-Za-z_][\\w-]*',
  'module\\.[A-Za-z_][\\w-]*',
  'data\\.[a-z][a-z0-9]*_[a-z0-9_]+\\.[A-Za-z_][\\w-]*',
  'each\\.(?:key|value)\\b',
  'count\\.index\\b',
  'self\\.[a-z_]\\w*',
  'path\\.(?:module|root|cwd)\\b',
  'terraform\\.(?:workspace|applying)\\b',
];
/** A reference must not continue a word, a host name, a path or a URL (`kv/data.x`, `my-var.x`, `http://var.x`). */
const NOT_INSIDE = '(?<![\\w.\\-/:@])';

/**
 * The text of a Terraform JSON string outside its template sequences: `${...}` and `%{...}` are removed (with their
 * nested braces and quoted strings). `$${` and `%%{` are the escapes for a literal `${` and `%{`: with `keepEscaped`
 * the literal is kept, else the escaped sequence is removed too (text escaped on purpose is not a forgotten `${`).
 */
export function literalText(text: string, keepEscaped: boolean = true): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const two = text.slice(i, i + 2);
    if ((two === '$$' || two === '%%') && text[i + 2] === '{') {
      if (keepEscaped) {
        out += `${two[0]}{`;
        i += 3;
      } else {
        i = endOfTemplate(text, i + 3);
        out += ' ';
      }
    } else if ((two === '${' || two === '%{')) {
      i = endOfTemplate(text, i + 2);
      out += ' ';
    } else {
      out += text[i++];
    }
  }
  return out;
}

/** Index after the `}` that closes a template sequence whose body starts at `start`. */
function endOfTemplate(text: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < text.length && depth > 0) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      depth--;
    }
    i++;
  }
  return i;
}

/** The reference pattern for a stack's provider prefixes, built once per distinct list (every stack has the same). */
const referencePatterns = new Map<string, RegExp>();
function referencePattern(resourceTypePrefixes: readonly string[]): RegExp {
  const key = resourceTypePrefixes.join('|');
  let pattern = referencePatterns.get(key);
  if (!pattern) {
    const references = [...NAMED_VALUES];
    // References to resources of the stack's providers: `vault_mount.Vault_Database_1234.path`.
    if (key !== '') references.push(`(?:${key})_[a-z0-9_]+\\.[A-Za-z_][\\w-]*\\.[a-z_]\\w*`);
    pattern = new RegExp(`${NOT_INSIDE}(?:${references.join('|')})`);
    referencePatterns.set(key, pattern);
  }
  return pattern;
}

/** The expression text found in the literal part of `text`, or undefined. */
export function expressionTextIn(text: string, resourceTypePrefixes: readonly string[]): string | undefined {
  // Every reference has a "." and every call a "(": most strings (names, numbers, paths) are done here.
  if (!text.includes('.') && !text.includes('(')) return undefined;
  const literal = literalText(text, false);
  const reference = referencePattern(resourceTypePrefixes).exec(literal);
  if (reference) return reference[0];
  const call = /^\s*([a-z][a-z0-9]*)\s*\(.*\)\s*$/s.exec(literal);
  if (call && FUNCTIONS.has(call[1])) return `${call[1]}(...)`;
  return undefined;
}

function isDataField(type: string, field: string): boolean {
  return DATA_FIELDS.some(d => (d.type === '*' || d.type === type) && d.field.test(field));
}

/** Every string of a block body with its attribute path, skipping metadata and bare-expression attributes. */
function strings(value: unknown, at: string, out: Array<[string, string]>): Array<[string, string]> {
  if (typeof value === 'string') {
    out.push([at, value]);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => strings(v, `${at}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '//' || BARE_EXPRESSION_KEYS.has(k)) continue;
      strings(v, at === '' ? k : `${at}.${k}`, out);
    }
  }
  return out;
}

interface Block {
  /** Findings name the construct path where cdktf recorded one. */
  readonly resource: string;
  readonly file: string;
  /** Resource type prefixes of the stack's providers (`vault`, `helm`): `vault_mount.x.path` is a reference. */
  readonly providerPrefixes: readonly string[];
  /** The resource or data source type, or the block kind (`variable`, `provider`...). */
  readonly type: string;
  readonly body: unknown;
  /** Attributes of this block kind that Terraform reads as bare expressions. */
  readonly bare: ReadonlySet<string>;
}

const NONE = new Set<string>();

/** The blocks of a stack whose strings are templates. The `terraform` block takes literal values only. */
function blocksOf(s: TerraformStackDocument): Block[] {
  const json = s.json ?? {};
  const blocks: Block[] = [];
  const file = s.file;
  const providerPrefixes = Object.keys(json.terraform?.required_providers ?? {}).filter(p => /^[a-z][a-z0-9]*$/.test(p));
  const named = (kind: string, bare: ReadonlySet<string> = NONE) => {
    for (const [name, body] of Object.entries(json[kind] ?? {})) blocks.push({ resource: `${s.environment}/${kind}.${name}`, file, providerPrefixes, type: kind, body, bare });
  };
  named('variable', new Set(['type']));
  named('output');
  named('module', new Set(['source', 'version']));
  for (const [name, configs] of Object.entries(json.provider ?? {})) {
    list(configs).forEach((body, i) => blocks.push({ resource: `${s.environment}/provider.${name}[${i}]`, file, providerPrefixes, type: 'provider', body, bare: new Set(['alias']) }));
  }
  list(json.locals).concat(json.locals && !Array.isArray(json.locals) ? [json.locals] : []).forEach(body => {
    blocks.push({ resource: `${s.environment}/locals`, file, providerPrefixes, type: 'locals', body, bare: NONE });
  });
  for (const r of s.resources) blocks.push({ resource: r.resource, file, providerPrefixes, type: r.type, body: r.body, bare: NONE });
  for (const kind of ['moved', 'import', 'removed']) {
    list(json[kind]).forEach((body, i) => blocks.push({ resource: `${s.environment}/${kind}[${i}]`, file, providerPrefixes, type: kind, body, bare: new Set(['from', 'to']) }));
  }
  return blocks;
}

const T01 = rule<Block>({
  id: 'T01',
  severity: PolicySeverity.ERROR,
  title: 'Terraform expression text (var., local., can(regex(...))...) only inside "${...}", where Terraform evaluates it',
  description: 'In Terraform JSON a string is a template: outside "${...}" the text is literal. A condition or value written without "${...}" is a constant: Terraform refuses the stack, or passes the words on unevaluated.',
  targets: TF,
  references: [ref('Terraform', 'JSON configuration syntax: expression mapping and string templates'), ref('Terraform', 'Custom conditions: a variable validation refers to the variable')],
  subjects: ctx => ctx.stacks.flatMap(blocksOf),
  where: b => ({ resource: b.resource, file: b.file }),
  check: (b, report) => {
    for (const [field, text] of strings(b.body, '', [])) {
      if (b.bare.has(field.split(/[.[]/)[0]) || isDataField(b.type, field)) continue;
      const found = expressionTextIn(text, b.providerPrefixes);
      if (found === undefined) continue;
      report(field, `holds Terraform expression text (${found}) outside "\${...}", so Terraform reads it as a literal string`, text,
        'write it as an expression ("${...}"; in cdktf a token: variable.stringValue, Fn.*, a resource attribute), or acknowledge T01 with a reason where the text is data');
    }
  },
});

const T02 = rule<TerraformResource>({
  id: 'T02',
  severity: PolicySeverity.ERROR,
  title: 'Tenant data of permanent environments is protected by lifecycle { prevent_destroy = true }',
  description: 'In a permanent class (production), every resource that holds tenant data — the tenant database, its roles and schemas, Vault mounts, and Helm releases that create a namespace (the tenant Namespace and its PersistentVolumeClaims) — sets lifecycle.prevent_destroy, so that Terraform refuses a plan that deletes or replaces it; only the decommission workflow lifts it (docs/lifecycle.md). The list is src/model/tenant-protection.ts, the same the tenant-upgrade plan gate checks.',
  targets: TF,
  references: [ref('Terraform', 'The lifecycle meta-argument: prevent_destroy'), ref('Spec', '§8 Environment Decommissioning: only after approval')],
  subjects: ctx => ctx.resources.filter(r => !r.type.startsWith('data.') && ctx.facts(r.environment).permanent === true && isTenantDataResource(r.type, r.body)),
  where: r => ({ resource: r.resource, file: r.file }),
  check: (r, report) => {
    const value = r.body?.lifecycle?.prevent_destroy;
    if (value === true) return;
    report('lifecycle.prevent_destroy', `is not true on ${r.type} "${r.name}" of permanent environment ${r.environment}, so an apply can delete or replace this tenant data`, value,
      'synthesize the stack with EnvironmentStack (it protects tenant data of permanent classes), or set lifecycle.prevent_destroy = true; remove a tenant with the decommission workflow');
  },
});

/** T01, T02. */
export const TERRAFORM_RULES: PolicyRule[] = [T01, T02];

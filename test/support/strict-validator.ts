/**
 * Strict Kubernetes manifest validation for tests.
 *
 * Validates rendered manifests against the OpenAPI definitions of one Kubernetes
 * release (test/schemas/k8s-<major.minor>/_definitions.json: 1.28, 1.30, 1.35, 1.36;
 * the library's default target, 1.35, unless asked) and the CRDs in test/schemas/crds,
 * emulating `kubectl apply --validate=strict` / server-side strict field
 * validation as closely as a JSON-Schema validator can:
 *
 * - every object schema that lists `properties` is closed
 *   (`additionalProperties: false`) unless it carries
 *   `x-kubernetes-preserve-unknown-fields: true`; in CRDs a bare
 *   `type: object` (no properties, no additionalProperties) is closed too,
 *   because structural pruning drops every field there;
 * - `metadata` is validated against ObjectMeta, for CRDs as well;
 * - Quantities must match the Kubernetes quantity grammar, IntOrString fields
 *   accept integers and strings, int32/int64 formats check integers;
 * - CRD `pattern`s are translated from Go RE2 syntax (`(?i)` etc.).
 *
 * Not emulated: CEL rules (`x-kubernetes-validations`), list-map key
 * uniqueness, defaulting, and the apiserver's "null means absent" leniency.
 *
 * See test/support/README.md.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import * as YAML from 'yaml';
import { KubernetesVersion } from '../../src/model/kubernetes-version';

/** A JSON-Schema node (loosely typed: the input schemas are plain JSON). */
type Schema = Record<string, any>;

export interface StrictValidatorOptions {
  /**
   * The target Kubernetes release, whose definitions (test/schemas/k8s-<major.minor>/) are used.
   * Default: KubernetesVersion.DEFAULT, the library's default target.
   */
  readonly kubernetesVersion?: KubernetesVersion | string;
  /** Kubernetes definitions file, instead of the target's. */
  readonly definitionsFile?: string;
  /** Directory with CustomResourceDefinition YAML files. Default: test/schemas/crds */
  readonly crdDirectory?: string;
}

/** Where a (apiVersion, kind) schema comes from. */
interface SchemaEntry {
  readonly source: 'kubernetes' | 'crd';
  /** ajv schema reference (`$id` or `$id#/pointer`). */
  readonly ref: string;
  validate?: ValidateFunction;
}

/** Result of a schema-compile measurement, see {@link StrictValidator.compileStats}. */
export interface CompileStat {
  readonly apiVersion: string;
  readonly kind: string;
  readonly source: 'kubernetes' | 'crd';
  readonly compileMs: number;
}

const SCHEMA_ROOT = path.resolve(__dirname, '..', 'schemas');
const DEFS_ID_PREFIX = 'https://schemas.test/k8s-';
const CRD_ID_PREFIX = 'https://schemas.test/crds/';
const DEF_PREFIX = 'io.k8s.';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** The standard Kubernetes resource.Quantity grammar. */
export const QUANTITY_PATTERN = '^[+-]?(\\d+\\.?\\d*|\\.\\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\\d+)?$';

/** JSON-Schema (draft-07) and ajv keywords; anything else found in a schema node is registered as an annotation. */
const KNOWN_KEYWORDS = new Set([
  '$id', '$schema', '$ref', '$comment', 'title', 'description', 'default', 'examples', 'readOnly', 'writeOnly',
  'type', 'enum', 'const', 'format', 'nullable',
  'properties', 'patternProperties', 'additionalProperties', 'propertyNames', 'required',
  'minProperties', 'maxProperties', 'dependencies',
  'items', 'additionalItems', 'contains', 'minItems', 'maxItems', 'uniqueItems',
  'minLength', 'maxLength', 'pattern',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'definitions',
  'contentMediaType', 'contentEncoding',
]);

/** The JSON types of an IntOrString value. */
const INT_OR_STRING_TYPES = ['integer', 'string'];

// ---------------------------------------------------------------------------
// Go regular expressions -> JavaScript
// ---------------------------------------------------------------------------

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/**
 * Translates a Go (RE2) regular expression into a JavaScript RegExp.
 *
 * Handles leading inline flags (`(?i)`, `(?s)`, `(?m)`, also after a leading
 * `^`, e.g. `^(?i)(abort|warn)?$`), `\A` / `\z`, and POSIX classes inside
 * brackets. Flags in the middle of a pattern or flag groups `(?i:...)` have
 * no JavaScript equivalent in Node 20 and raise an error.
 */
export function goRegExp(pattern: string, flags: string = 'u'): RegExp {
  let src = pattern;
  let jsFlags = flags;
  // Leading inline flags, possibly after `^` anchors (they do not depend on flags).
  const lead = /^(\^*)\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[2]) {
      if (f === 'U') throw new Error(`Go regexp flag U (ungreedy) is not supported: ${pattern}`);
      if (!jsFlags.includes(f)) jsFlags += f;
    }
    src = lead[1] + src.slice(lead[0].length);
  }
  if (/\(\?[imsU-]+[):]/.test(src)) {
    throw new Error(`Go regexp inline flags inside the pattern are not supported: ${pattern}`);
  }
  src = src
    .replace(/\[:(\^?)([a-z]+):\]/g, (m, neg: string, name: string) => {
      const cls = POSIX_CLASSES[name];
      if (!cls) return m;
      if (neg) throw new Error(`negated POSIX class [:^${name}:] is not supported: ${pattern}`);
      return cls;
    })
    .replace(/(^|[^\\])((?:\\\\)*)\\A/g, '$1$2^')
    .replace(/(^|[^\\])((?:\\\\)*)\\z/g, '$1$2$');
  try {
    return new RegExp(src, jsFlags);
  } catch (e) {
    // Go accepts escapes that unicode-mode JavaScript rejects (e.g. `\-` outside a class).
    return new RegExp(src, jsFlags.replace('u', ''));
  }
}
goRegExp.code = 'goRegExp';

// ---------------------------------------------------------------------------
// Schema rewriting
// ---------------------------------------------------------------------------

interface RewriteContext {
  /** Close bare `type: object` nodes too (CRD structural pruning semantics). */
  readonly closeBareObjects: boolean;
  readonly formats: Set<string>;
  readonly keywords: Set<string>;
}

function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Rewrites a schema tree in place; see the module comment for the rules. */
function rewriteSchema(node: Schema, ctx: RewriteContext): void {
  if (!isPlainObject(node)) return;

  for (const key of Object.keys(node)) {
    if (!KNOWN_KEYWORDS.has(key)) ctx.keywords.add(key);
  }

  // IntOrString, in its various spellings.
  if (node.format === 'int-or-string') {
    delete node.format;
    node.type = [...INT_OR_STRING_TYPES];
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    const simpleBranches = Array.isArray(node.anyOf) && node.anyOf.every(
      (b: unknown) => isPlainObject(b) && Object.keys(b).length === 1 && typeof b.type === 'string');
    if (simpleBranches || node.anyOf === undefined) {
      delete node.anyOf;
      node.type = [...INT_OR_STRING_TYPES];
    }
  }
  if (typeof node.format === 'string') ctx.formats.add(node.format);

  // Close object schemas.
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  const hasProps = isPlainObject(node.properties);
  const bareObject = node.type === 'object' && !hasProps && !isPlainObject(node.patternProperties);
  if (node.additionalProperties === undefined && !preserve && (hasProps || (ctx.closeBareObjects && bareObject))) {
    node.additionalProperties = false;
  }

  // Recurse into sub-schemas (never into enum/default/example values).
  for (const key of ['properties', 'patternProperties', 'definitions']) {
    if (isPlainObject(node[key])) {
      for (const child of Object.values(node[key])) rewriteSchema(child as Schema, ctx);
    }
  }
  for (const key of ['additionalProperties', 'additionalItems', 'not', 'contains', 'propertyNames', 'if', 'then', 'else']) {
    if (isPlainObject(node[key])) rewriteSchema(node[key], ctx);
  }
  if (Array.isArray(node.items)) node.items.forEach((s: Schema) => rewriteSchema(s, ctx));
  else if (isPlainObject(node.items)) rewriteSchema(node.items, ctx);
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(node[key])) node[key].forEach((s: Schema) => rewriteSchema(s, ctx));
  }
}

// ---------------------------------------------------------------------------
// Error formatting
// ---------------------------------------------------------------------------

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function valueAt(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let cur: any = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[token];
  }
  return cur;
}

function show(value: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function describeError(e: ErrorObject, doc: unknown): string {
  const at = e.instancePath || '/';
  const value = valueAt(doc, e.instancePath);
  const p: any = e.params;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${e.instancePath}/${escapePointer(p.additionalProperty)}: unknown field "${p.additionalProperty}"`;
    case 'required':
      return `${e.instancePath}/${escapePointer(p.missingProperty)}: missing required field "${p.missingProperty}"`;
    case 'type':
      return `${at}: must be ${String(p.type).replace(/,/g, ' or ')}, got ${show(value)}`;
    case 'pattern':
      if (p.pattern === QUANTITY_PATTERN) {
        return `${at}: ${show(value)} is not a valid Kubernetes quantity (must match ${QUANTITY_PATTERN})`;
      }
      return `${at}: ${show(value)} must match pattern ${JSON.stringify(p.pattern)}`;
    case 'enum':
      return `${at}: ${show(value)} must be one of ${(p.allowedValues as unknown[]).map(show).join(', ')}`;
    case 'const':
      return `${at}: ${show(value)} must be ${show(p.allowedValue)}`;
    case 'format':
      return `${at}: ${show(value)} must match format "${p.format}"`;
    default:
      return `${at}: ${e.message ?? e.keyword}${value !== undefined && typeof value !== 'object' ? `, got ${show(value)}` : ''}`;
  }
}

/** Turns ajv errors into readable lines; collapses the branch errors of anyOf/oneOf into one line. */
function formatErrors(errors: ErrorObject[], doc: unknown): string[] {
  const composites = errors.filter(e => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const isBranchError = (e: ErrorObject) => composites.some(c => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`));
  // A value of the wrong type also fails format/pattern/enum checks; report only the type error.
  const wrongType = new Set(errors.filter(e => e.keyword === 'type' && !isBranchError(e)).map(e => e.instancePath));
  const lines: string[] = [];
  for (const e of errors) {
    if (isBranchError(e)) continue;
    if (e.keyword !== 'type' && wrongType.has(e.instancePath)) continue;
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      const branches = errors.filter(b => b !== e && b.schemaPath.startsWith(`${e.schemaPath}/`)).map(b => describeError(b, doc));
      const which = e.keyword === 'oneOf' ? 'exactly one' : 'at least one';
      lines.push(`${e.instancePath || '/'}: must match ${which} of the alternatives [${branches.join('; ')}]`);
    } else {
      lines.push(describeError(e, doc));
    }
  }
  return [...new Set(lines)];
}

/** `<kind>/<namespace>/<name>`, with `-` for missing parts. */
export function describeManifest(doc: any): string {
  const kind = isPlainObject(doc) && typeof doc.kind === 'string' && doc.kind ? doc.kind : '-';
  const meta = isPlainObject(doc) && isPlainObject(doc.metadata) ? doc.metadata : {};
  const ns = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : '-';
  const name = typeof meta.name === 'string' && meta.name ? meta.name
    : typeof meta.generateName === 'string' && meta.generateName ? `${meta.generateName}*` : '-';
  return `${kind}/${ns}/${name}`;
}

// ---------------------------------------------------------------------------
// The validator
// ---------------------------------------------------------------------------

export class StrictValidator {
  /**
   * The shared instance for a target (default: KubernetesVersion.DEFAULT): definitions load once, each kind compiles
   * once. Under jest this is one instance per target per test file (jest gives every test file its own module registry).
   */
  public static instance(kubernetesVersion?: KubernetesVersion | string): StrictValidator {
    const target = targetOf(kubernetesVersion);
    let found = StrictValidator.instances.get(target.name);
    if (!found) {
      found = new StrictValidator({ kubernetesVersion: target });
      StrictValidator.instances.set(target.name, found);
    }
    return found;
  }

  /** The targets with a copy of their definitions in test/schemas, oldest first. */
  public static availableVersions(): KubernetesVersion[] {
    return KubernetesVersion.supported().filter(v => fs.existsSync(definitionsFileOf(v)));
  }

  private static readonly instances = new Map<string, StrictValidator>();

  /** The Kubernetes release validated against (undefined with an explicit `definitionsFile`). */
  public readonly kubernetesVersion?: KubernetesVersion;

  /** Non-standard schema keywords found (registered as annotations, i.e. not enforced). */
  public readonly ignoredKeywords = new Set<string>();
  /** Formats found in the schemas that are accepted without a check. */
  public readonly ignoredFormats = new Set<string>();
  /** Time (ms) it took to load the definitions and prepare ajv. */
  public readonly setupMs: number;

  private readonly ajv: Ajv;
  /** The `$id` of the definitions schema. */
  private readonly defsId: string;
  private readonly registry = new Map<string, SchemaEntry>();
  /** CRD files not yet parsed: path -> raw text. */
  private readonly pendingCrdFiles = new Map<string, string>();
  /** CRD versions that exist but are not served (for hints). */
  private readonly unservedCrdVersions = new Set<string>();
  /** API groups of the built-in kinds (CRDs cannot extend them). */
  private readonly builtinGroups = new Set<string>();
  /** API groups whose CRD files have already been looked for. */
  private readonly searchedGroups = new Set<string>();
  private readonly stats: CompileStat[] = [];
  private readonly knownKeywords = new Set<string>();
  private readonly knownFormats = new Set<string>();

  public constructor(options: StrictValidatorOptions = {}) {
    const start = performance.now();
    let definitionsFile = options.definitionsFile;
    if (definitionsFile === undefined) {
      this.kubernetesVersion = targetOf(options.kubernetesVersion);
      definitionsFile = definitionsFileOf(this.kubernetesVersion);
      if (!fs.existsSync(definitionsFile)) {
        const have = StrictValidator.availableVersions().map(v => v.name).join(', ');
        throw new Error(`no schema copy for Kubernetes ${this.kubernetesVersion.name} in test/schemas (have ${have}); copy it with a SOURCES.md line`);
      }
    }
    this.defsId = `${DEFS_ID_PREFIX}${this.kubernetesVersion?.name ?? path.basename(path.dirname(definitionsFile))}/_definitions.json`;
    const crdDirectory = options.crdDirectory ?? path.join(SCHEMA_ROOT, 'crds');

    this.ajv = new Ajv({
      allErrors: true,
      strictSchema: true, // unknown keywords are registered explicitly below, so this only catches bugs
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
      allowUnionTypes: true,
      validateSchema: false, // the 1 MB definitions would be meta-validated on every addSchema
      addUsedSchema: false,
      code: { regExp: goRegExp, optimize: false },
    });
    addFormats(this.ajv); // date-time, byte, int32, int64, double, ...
    for (const f of Object.keys(this.ajv.formats)) this.knownFormats.add(f);
    this.ajv.addFormat('int-or-string', true);
    this.knownFormats.add('int-or-string');

    // Built-in types: one schema, referenced per kind.
    const defs = JSON.parse(fs.readFileSync(definitionsFile, 'utf8')) as Schema;
    const definitions: Record<string, Schema> = defs.definitions;
    definitions[QUANTITY] = {
      description: definitions[QUANTITY]?.description ?? 'Kubernetes resource quantity',
      type: ['string', 'number'],
      pattern: QUANTITY_PATTERN,
    };
    definitions[INT_OR_STRING] = {
      description: definitions[INT_OR_STRING]?.description ?? 'IntOrString',
      type: [...INT_OR_STRING_TYPES],
    };
    this.prepare(defs, false);
    this.ajv.addSchema({ $id: this.defsId, definitions });

    for (const [name, def] of Object.entries(definitions)) {
      if (!name.startsWith(DEF_PREFIX)) continue;
      for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        this.registry.set(gvkKey(apiVersion, gvk.kind), { source: 'kubernetes', ref: `${this.defsId}#/definitions/${name}` });
        if (gvk.group) this.builtinGroups.add(gvk.group);
      }
    }

    // CRDs are parsed lazily, on first use of their group.
    if (fs.existsSync(crdDirectory)) {
      for (const f of fs.readdirSync(crdDirectory).sort()) {
        if (/\.ya?ml$/.test(f)) {
          const file = path.join(crdDirectory, f);
          this.pendingCrdFiles.set(file, fs.readFileSync(file, 'utf8'));
        }
      }
    }
    this.setupMs = performance.now() - start;
  }

  /** Validates one manifest; returns error lines (empty = valid). */
  public validate(doc: any): string[] {
    if (!isPlainObject(doc)) return [`-/-/-: /: manifest must be an object, got ${show(doc)}`];
    const prefix = describeManifest(doc);
    const missing: string[] = [];
    for (const field of ['apiVersion', 'kind']) {
      if (doc[field] === undefined || doc[field] === null || doc[field] === '') missing.push(`${prefix}: /${field}: missing required field "${field}"`);
      else if (typeof doc[field] !== 'string') missing.push(`${prefix}: /${field}: must be string, got ${show(doc[field])}`);
    }
    if (missing.length > 0) return missing;

    const { apiVersion, kind } = doc as { apiVersion: string; kind: string };
    if (apiVersion === 'v1' && kind === 'List' && Array.isArray(doc.items)) return this.validateAll(doc.items);

    const entry = this.lookup(apiVersion, kind);
    if (!entry) return [`${prefix}: no schema for apiVersion ${apiVersion} kind ${kind}${this.hint(apiVersion, kind)}`];

    let fn: ValidateFunction;
    try {
      fn = this.compile(apiVersion, kind, entry);
    } catch (e) {
      return [`${prefix}: cannot compile schema for apiVersion ${apiVersion} kind ${kind}: ${(e as Error).message}`];
    }
    if (fn(doc)) return [];
    return formatErrors(fn.errors ?? [], doc).map(line => `${prefix}: ${line}`);
  }

  /** Validates many manifests; returns all error lines. */
  public validateAll(docs: any[]): string[] {
    return docs.flatMap(d => this.validate(d));
  }

  /**
   * Validates a multi-document YAML string (empty documents are skipped).
   * Parsed like kubectl/the apiserver parse YAML (YAML 1.1: `yes`/`on` are booleans,
   * `0644` is octal), except that timestamps stay strings.
   */
  public validateYaml(text: string): string[] {
    const errors: string[] = [];
    const docs = YAML.parseAllDocuments(text, YAML_OPTIONS);
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((d, i) => {
      if (d.errors.length > 0) {
        errors.push(`document ${i}: YAML parse error: ${d.errors.map(e => e.message.split('\n')[0]).join('; ')}`);
        return;
      }
      if (d.contents === null) return;
      const value = d.toJS({ maxAliasCount: 1000 });
      if (value === null || value === undefined) return;
      errors.push(...this.validate(value));
    });
    return errors;
  }

  /**
   * Validates every `*.yaml`, `*.yml` and `*.json` file under `dir` (recursively, skipping
   * `node_modules` and dot-directories). Error lines are prefixed with the file path relative to `dir`.
   * A JSON file holds one manifest or an array of manifests.
   */
  public validateDirectory(dir: string): string[] {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [`${dir}: not a directory`];
    const errors: string[] = [];
    for (const file of listManifestFiles(dir)) {
      const rel = path.relative(dir, file);
      const text = fs.readFileSync(file, 'utf8');
      let lines: string[];
      if (file.endsWith('.json')) {
        try {
          const parsed = JSON.parse(text);
          lines = Array.isArray(parsed) ? this.validateAll(parsed) : this.validate(parsed);
        } catch (e) {
          lines = [`JSON parse error: ${(e as Error).message}`];
        }
      } else {
        lines = this.validateYaml(text);
      }
      errors.push(...lines.map(l => `${rel}: ${l}`));
    }
    return errors;
  }

  /** All (apiVersion, kind) pairs with a schema (built-ins plus the CRDs, which get loaded). */
  public knownKinds(): Array<{ apiVersion: string; kind: string; source: 'kubernetes' | 'crd' }> {
    this.loadAllCrds();
    return [...this.registry.entries()].map(([k, e]) => {
      const [apiVersion, kind] = k.split('|');
      return { apiVersion, kind, source: e.source };
    });
  }

  /** Compile timings so far (one entry per compiled kind). */
  public compileStats(): readonly CompileStat[] {
    return this.stats;
  }

  // -------------------------------------------------------------------------

  private lookup(apiVersion: string, kind: string): SchemaEntry | undefined {
    const k = gvkKey(apiVersion, kind);
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    if (!this.registry.has(k) && this.pendingCrdFiles.size > 0 && group && !this.searchedGroups.has(group)
      && !this.builtinGroups.has(group)) {
      this.searchedGroups.add(group);
      // Cheap pre-filter: only parse the files that mention `group: <group>` (YAML or JSON style).
      const groupLine = new RegExp(`["']?group["']?\\s*:\\s*["']?${group.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*[,}\\n\\r]`);
      this.loadCrds(text => groupLine.test(text));
      // Fallback for unusual layouts: parse everything before giving up.
      if (!this.registry.has(k)) this.loadAllCrds();
    }
    return this.registry.get(k);
  }

  private hint(apiVersion: string, kind: string): string {
    const versionsOf = () => [...this.registry.keys()].filter(k => k.endsWith(`|${kind}`)).map(k => k.split('|')[0]);
    let versions = versionsOf();
    if (versions.length === 0) {
      this.loadAllCrds(); // only needed for the hint, so only when nothing else matched
      versions = versionsOf();
    }
    if (this.unservedCrdVersions.has(gvkKey(apiVersion, kind))) {
      return ` (version ${apiVersion.split('/')[1]} of this CRD exists but is not served)`;
    }
    if (versions.length > 0) return ` (known apiVersions for kind ${kind}: ${versions.join(', ')})`;
    return '';
  }

  private loadAllCrds(): void {
    this.loadCrds(() => true);
  }

  private loadCrds(filter: (text: string) => boolean): void {
    for (const [file, text] of [...this.pendingCrdFiles.entries()]) {
      if (!filter(text)) continue;
      this.pendingCrdFiles.delete(file);
      for (const d of YAML.parseAllDocuments(text)) {
        const crd = d.toJS();
        if (!isPlainObject(crd) || crd.kind !== 'CustomResourceDefinition') continue;
        const group: string = crd.spec.group;
        const kind: string = crd.spec.names.kind;
        for (const version of crd.spec.versions ?? []) {
          const apiVersion = `${group}/${version.name}`;
          if (!version.served) {
            this.unservedCrdVersions.add(gvkKey(apiVersion, kind));
            continue;
          }
          const schema: Schema | undefined = version.schema?.openAPIV3Schema;
          if (!schema) continue;
          this.prepare(schema, true);
          schema.properties = { ...(schema.properties ?? {}), metadata: { $ref: `${this.defsId}#/definitions/${OBJECT_META}` } };
          const id = `${CRD_ID_PREFIX}${group}/${version.name}/${kind}.json`;
          this.ajv.addSchema({ ...schema, $id: id });
          this.registry.set(gvkKey(apiVersion, kind), { source: 'crd', ref: id });
        }
      }
    }
  }

  /** Rewrites a schema tree and registers the non-standard keywords/formats it uses. */
  private prepare(schema: Schema, closeBareObjects: boolean): void {
    const ctx: RewriteContext = { closeBareObjects, formats: new Set(), keywords: new Set() };
    rewriteSchema(schema, ctx);
    for (const kw of ctx.keywords) {
      if (this.knownKeywords.has(kw)) continue;
      this.knownKeywords.add(kw);
      this.ajv.addKeyword(kw);
      if (!kw.startsWith('x-kubernetes-') && kw !== 'example') this.ignoredKeywords.add(kw);
    }
    for (const f of ctx.formats) {
      if (this.knownFormats.has(f)) continue;
      this.knownFormats.add(f);
      this.ajv.addFormat(f, true);
      this.ignoredFormats.add(f);
    }
  }

  private compile(apiVersion: string, kind: string, entry: SchemaEntry): ValidateFunction {
    if (entry.validate) return entry.validate;
    const start = performance.now();
    const fn = this.ajv.getSchema(entry.ref);
    if (!fn) throw new Error(`schema ${entry.ref} not found`);
    entry.validate = fn;
    this.stats.push({ apiVersion, kind, source: entry.source, compileMs: performance.now() - start });
    return fn;
  }
}

const YAML_OPTIONS: YAML.ParseOptions & YAML.DocumentOptions & YAML.SchemaOptions = {
  version: '1.1',
  // go-yaml (sigs.k8s.io/yaml) keeps unquoted timestamps as strings when decoding into JSON.
  customTags: tags => tags.filter(t => (typeof t === 'string' ? t : t.tag) !== 'tag:yaml.org,2002:timestamp'),
  uniqueKeys: true,
};

function targetOf(version: KubernetesVersion | string | undefined): KubernetesVersion {
  if (version === undefined) return KubernetesVersion.DEFAULT;
  return typeof version === 'string' ? KubernetesVersion.of(version) : version;
}

function definitionsFileOf(version: KubernetesVersion): string {
  return path.join(SCHEMA_ROOT, `k8s-${version.name}`, '_definitions.json');
}

function gvkKey(apiVersion: string, kind: string): string {
  return `${apiVersion}|${kind}`;
}

function listManifestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      out.push(...listManifestFiles(full));
    } else if (entry.isFile() && /\.(ya?ml|json)$/i.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

/** Shorthand for `StrictValidator.instance(kubernetesVersion).validate(doc)`. */
export function validate(doc: any, kubernetesVersion?: KubernetesVersion | string): string[] {
  return StrictValidator.instance(kubernetesVersion).validate(doc);
}

/** Shorthand for `StrictValidator.instance(kubernetesVersion).validateAll(docs)`. */
export function validateAll(docs: any[], kubernetesVersion?: KubernetesVersion | string): string[] {
  return StrictValidator.instance(kubernetesVersion).validateAll(docs);
}

/** Shorthand for `StrictValidator.instance(kubernetesVersion).validateYaml(text)`. */
export function validateYaml(text: string, kubernetesVersion?: KubernetesVersion | string): string[] {
  return StrictValidator.instance(kubernetesVersion).validateYaml(text);
}

/** Shorthand for `StrictValidator.instance(kubernetesVersion).validateDirectory(dir)`. */
export function validateDirectory(dir: string, kubernetesVersion?: KubernetesVersion | string): string[] {
  return StrictValidator.instance(kubernetesVersion).validateDirectory(dir);
}

/**
 * Jest helper: fails the current test with ALL error lines when any manifest is invalid for the target
 * (default: the library's default target). Typical use: `expectValidManifests(Testing.synth(chart))`.
 */
export function expectValidManifests(docs: any[], kubernetesVersion?: KubernetesVersion | string): void {
  const validator = StrictValidator.instance(kubernetesVersion);
  const errors = validator.validateAll(docs);
  if (errors.length > 0) {
    const release = validator.kubernetesVersion ? `Kubernetes ${validator.kubernetesVersion.name}` : 'Kubernetes';
    const err = new Error(`${errors.length} ${release} schema violation(s) in ${docs.length} manifest(s):\n  ${errors.join('\n  ')}`);
    Error.captureStackTrace?.(err, expectValidManifests);
    throw err;
  }
}

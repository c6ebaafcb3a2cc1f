/**
 * Generates `src/k8s/imports/k8s.ts`: typed bindings (`KubeNamespace`, `KubeResourceQuota`, ...) for the core
 * Kubernetes kinds the library builds, from the Kubernetes 1.28 schema in the repository
 * (`test/schemas/k8s-1.28/_definitions.json`, see test/schemas/SOURCES.md), with cdk8s-cli's own importer code.
 *
 * Why not `cdk8s import k8s@1.28.0`: the CLI downloads the schema from GitHub (no network here, and a build must not
 * depend on it) and emits every kind of the release (about 1 MB of TypeScript, which jsii then compiles into the
 * package). This script runs the same generator (cdk8s-cli's `findApiObjectDefinitions`, `generateConstruct` and the
 * json2jsii `TypeGenerator` configured exactly as `ImportKubernetesApi.generateTypeScript` does) over the local file
 * and only for the kinds in `KINDS`; json2jsii then emits only the types those kinds reach. cdk8s-plus-28 ships the
 * same kind of file (node_modules/cdk8s-plus-28/lib/imports/k8s.d.ts), generated from the same schema set.
 *
 * The converters json2jsii writes (`toJson_*`, used by `KubeX.manifest` and so by `kubeObject`) are rewritten by
 * `fastConverters` below: they produce the same JSON, but write each field once instead of copying the object once per
 * field (docs/performance.md, "Typed objects and cdk8s-plus").
 *
 * Run: `npx projen k8s-imports`. `test/k8s/k8s-imports.test.ts` regenerates it in memory and fails when the committed
 * file is stale. To add a kind: add it to `KINDS`, run the task, commit the file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The schema the bindings come from, relative to the repository root. */
export const SCHEMA_FILE = path.join('test', 'schemas', 'k8s-1.28', '_definitions.json');
/** The generated module, relative to the repository root. */
export const GENERATED_FILE = path.join('src', 'k8s', 'imports', 'k8s.ts');

/**
 * The kinds the library builds with typed bindings, as `<apiVersion>/<kind>` (group/version/kind of the schema's
 * `x-kubernetes-group-version-kind`; the core group has no prefix).
 */
export const KINDS = [
  'v1/ConfigMap',
  'v1/LimitRange',
  'v1/Namespace',
  'v1/PersistentVolumeClaim',
  'v1/ResourceQuota',
  'v1/ServiceAccount',
  'admissionregistration.k8s.io/v1beta1/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/v1beta1/ValidatingAdmissionPolicyBinding',
  'batch/v1/CronJob',
  'batch/v1/Job',
  'networking.k8s.io/v1/NetworkPolicy',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding',
  'scheduling.k8s.io/v1/PriorityClass',
];

const CLI_ROOT = () => path.dirname(require.resolve('cdk8s-cli/package.json'));

/** cdk8s-cli's modules by file (its package `exports` hide `lib/`, so they are loaded by path). */
function cdk8sCli(module: string): any {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path, not a module name: `import` cannot reach it
  return require(path.join(CLI_ROOT(), 'lib', module));
}

/** A dependency of cdk8s-cli, resolved from cdk8s-cli's folder. */
function cdk8sCliDependency(name: string): any {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from cdk8s-cli's folder, not ours
  return require(require.resolve(name, { paths: [CLI_ROOT()] }));
}

/** The text of `src/k8s/imports/k8s.ts` for the schema at `schemaFile` (`fast: false`: json2jsii's own converters). */
export async function generateK8sImports(schemaFile: string = SCHEMA_FILE, kinds: readonly string[] = KINDS,
  options: { readonly fast?: boolean } = {}): Promise<string> {
  const { findApiObjectDefinitions } = cdk8sCli('import/k8s');
  const { emitHeader, generateConstruct, getPropsTypeName, getTypeName } = cdk8sCli('import/codegen');
  const { parseApiTypeName, safeParseJsonSchema } = cdk8sCli('import/k8s-util');
  // The json2jsii and codemaker cdk8s-cli itself runs with (not necessarily the project's own copies).
  const { TypeGenerator } = cdk8sCliDependency('json2jsii');
  const { CodeMaker } = cdk8sCliDependency('codemaker');

  const schema = safeParseJsonSchema(fs.readFileSync(schemaFile, 'utf8'));
  const all: any[] = findApiObjectDefinitions(schema, 'Kube');
  const gvk = (o: any) => `${o.group ? `${o.group}/` : ''}${o.version}/${o.kind}`;
  const missing = kinds.filter(k => !all.some(o => gvk(o) === k));
  if (missing.length > 0) throw new Error(`${schemaFile} has no ${missing.join(', ')}`);

  // As ImportKubernetesApi.generateTypeScript (cdk8s-cli lib/import/k8s.js), with the construct list filtered.
  const typeGenerator = new TypeGenerator({
    definitions: schema.definitions,
    renderTypeName: (def: string) => {
      const parsed = parseApiTypeName(def);
      return parsed.version ? getTypeName(false, parsed.basename, parsed.version.raw) : parsed.basename;
    },
  });
  for (const o of all) typeGenerator.addDefinition(o.fqn, { $ref: `#/definitions/${getPropsTypeName(o)}` });
  for (const o of all.filter(x => kinds.includes(gvk(x)))) generateConstruct(typeGenerator, o);

  const code = new CodeMaker();
  const fileName = path.basename(GENERATED_FILE);
  code.openFile(fileName);
  code.indentation = 2;
  emitHeader(code, false);
  code.line(typeGenerator.render());
  code.closeFile(fileName);
  // CodeMaker writes only through save(): into a scratch folder, read back.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-imports-'));
  try {
    await code.save(scratch);
    const text = fs.readFileSync(path.join(scratch, fileName), 'utf8');
    return options.fast === false ? text : fastConverters(text);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** What json2jsii ends every converter with: an object spread per defined field (quadratic in the fields). */
const SLOW_RETURN = '  // filter undefined values\n  return Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {});\n';
/** A converter's body as json2jsii writes it: `const result = { 'field': <expression>, ... };`, then SLOW_RETURN. */
const CONVERTER_BODY = /^ {2}const result = \{\n((?: {4}'[^'\n]+': .*,\n)*) {2}\};\n/gm;
/** A map field: `((obj.x) === undefined) ? undefined : (Object.entries(obj.x).reduce((r, i) => ... <value of i[1]> ...), {}))`. */
const MAP_FIELD = /\(\((obj\.[\w$]+)\) === undefined\) \? undefined : \(Object\.entries\(\1\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: (.*?) \}\), \{\}\)\)/g;
/** The helper the rewritten map fields call, put after the imports. */
const MAP_HELPER = `
/**
 * A map's entries with undefined values dropped and each value converted: what json2jsii's converters compute with
 * one object spread per entry, written once per entry (projenrc/k8s-imports.ts, \`fastConverters\`).
 */
function toJson_Map<T>(map: { [key: string]: T } | undefined, convert: (value: T) => any): Record<string, any> | undefined {
  if (map === undefined) { return undefined; }
  const result: Record<string, any> = {};
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value !== undefined) { result[key] = convert(value); }
  }
  return result;
}
`;

/**
 * json2jsii's converters with the same results, written in one pass: each converter builds its result by assigning
 * the defined fields (json2jsii builds an object of every schema field, then copies the result once per defined
 * field), and each map field goes through `toJson_Map` (json2jsii copies the map once per entry). A pod template
 * goes through some fifty converters and a vault-annotated one has maps of forty entries, so the copies, not the
 * conversion, were the 20-50 µs per object. Throws when json2jsii's output no longer has the shape rewritten here,
 * so a cdk8s-cli upgrade cannot silently bring the slow converters back.
 */
export function fastConverters(text: string): string {
  let converters = 0;
  let out = text.replace(CONVERTER_BODY, (_all, fields: string) => {
    converters++;
    const lines = fields.split('\n').filter(l => l !== '').map(line => {
      const m = /^ {4}'([^']+)': (.*),$/.exec(line)!;
      const value = m[2].replace(MAP_FIELD, (_m, map: string, entry: string) => `toJson_Map(${map}, (e) => ${entry.split('i[1]').join('e')})`);
      return `  { const v = ${value}; if (v !== undefined) { result['${m[1]}'] = v; } }\n`;
    });
    return `  const result: Record<string, any> = {};\n${lines.join('')}`;
  });
  const returns = out.split(SLOW_RETURN).length - 1;
  out = out.split(SLOW_RETURN).join('  return result;\n');
  if (converters === 0 || returns !== converters || out.includes('.reduce(')) {
    throw new Error(`json2jsii's converters changed shape (${converters} bodies, ${returns} returns rewritten): update fastConverters`);
  }
  const imports = out.indexOf('\n\n');
  return `${out.slice(0, imports + 1)}${MAP_HELPER}${out.slice(imports + 1)}`;
}

if (require.main === module) {
  void generateK8sImports().then(text => {
    fs.writeFileSync(GENERATED_FILE, text);
    console.log(`wrote ${GENERATED_FILE}`);
  });
}

import * as path from 'path';

/**
 * The one YAML loader of the library: manifests, workflows and any other YAML the output holds are written and read
 * here, so that every reader treats documents alike.
 *
 * An empty document (`---` followed by nothing, or only comments) is no document: it is skipped. A document that is
 * an empty mapping (`{}`) is a document and is kept, so that a check can report it.
 */

/** The parts of the `yaml` package used here. */
interface YamlDocument {
  readonly errors: ReadonlyArray<{ message: string }>;
  readonly contents: unknown;
  toJS(options?: object): unknown;
}
interface YamlModule {
  parseAllDocuments(text: string, options?: object): YamlDocument[] | { errors: ReadonlyArray<{ message: string }> };
  parse(text: string, options?: object): unknown;
  stringify(value: unknown, options?: object): string;
}

let yamlModule: YamlModule | undefined;

/**
 * `yaml` is not a runtime dependency of this package, but cdk8s (a peer dependency) bundles it: use that copy, the
 * library cdk8s writes the manifests with (`Yaml.load` of cdk8s would spawn a process per file). Loaded on first
 * use, so that importing this module costs nothing.
 */
function yaml(): YamlModule {
  if (!yamlModule) {
    const cdk8s = path.dirname(require.resolve('cdk8s'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    yamlModule = require(require.resolve('yaml', { paths: [cdk8s] })) as YamlModule;
  }
  return yamlModule;
}

/**
 * The documents of a multi-document YAML text, read as YAML 1.1 like kubectl and the API server (`yes` is true) by
 * default. Empty documents are skipped; a syntax error throws, naming `source` when given.
 */
export function parseYamlDocuments(text: string, source?: string, version: '1.1' | '1.2' = '1.1'): any[] {
  const where = source ? `${source}: ` : '';
  const docs = yaml().parseAllDocuments(text, { version });
  if (!Array.isArray(docs)) {
    throw new Error(`${where}cannot parse YAML: ${docs.errors.map(e => e.message).join('; ')}`);
  }
  const out: any[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${where}cannot parse YAML: ${doc.errors.map(e => e.message).join('; ')}`);
    if (doc.contents === null || doc.contents === undefined) continue;
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    out.push(value);
  }
  return out;
}

/** Parse one YAML document (YAML 1.2 core schema, as GitHub and actionlint read workflows: `on` stays a string). */
export function parseYaml(text: string): unknown {
  return yaml().parse(text);
}

/**
 * YAML 1.1 output like cdk8s's: strings YAML 1.1 would read as something else (`on`, `yes`, `0755`) are quoted,
 * multi-line strings become block scalars, lines are never folded.
 */
export function toYaml(value: unknown): string {
  return yaml().stringify(value, { version: '1.1', lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
}

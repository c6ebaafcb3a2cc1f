import * as path from 'path';

/** The parts of the `yaml` package the testing helpers use. */
interface YamlDocument {
  readonly errors: ReadonlyArray<{ message: string }>;
  toJS(options?: object): unknown;
}
interface YamlModule {
  parseAllDocuments(text: string, options?: object): YamlDocument[] | { errors: ReadonlyArray<{ message: string }> };
}

let yamlModule: YamlModule | undefined;

/**
 * `yaml` is not a runtime dependency of this package, but cdk8s (a peer dependency) bundles it: use that copy, the
 * library cdk8s writes the manifests with (`Yaml.load` would spawn a process per file).
 */
function loadYaml(): YamlModule {
  if (!yamlModule) {
    const cdk8s = path.dirname(require.resolve('cdk8s'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    yamlModule = require(require.resolve('yaml', { paths: [cdk8s] })) as YamlModule;
  }
  return yamlModule;
}

/** The documents of a multi-document YAML text, read as YAML 1.1 (as cdk8s writes it); empty documents are skipped. */
export function parseDocuments(text: string, file: string): any[] {
  const docs = loadYaml().parseAllDocuments(text, { version: '1.1' });
  if (!Array.isArray(docs)) {
    throw new Error(`${file}: cannot parse YAML: ${docs.errors.map(e => e.message).join('; ')}`);
  }
  const out: any[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file}: cannot parse YAML: ${doc.errors.map(e => e.message).join('; ')}`);
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    if (typeof value === 'object' && Object.keys(value as object).length === 0) continue;
    out.push(value);
  }
  return out;
}

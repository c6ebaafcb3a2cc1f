import * as path from 'path';

/** The parts of the `yaml` package the policy layer uses. */
interface YamlDocument {
  readonly errors: ReadonlyArray<{ message: string }>;
  toJS(options?: object): unknown;
}
interface YamlModule {
  parseAllDocuments(text: string, options?: object): YamlDocument[] | { errors: ReadonlyArray<{ message: string }> };
}

/**
 * `yaml` is not a runtime dependency of this package, but cdk8s (a peer dependency) bundles it: use that copy, the
 * library cdk8s writes the manifests with.
 */
function loadYaml(): YamlModule {
  const cdk8s = path.dirname(require.resolve('cdk8s'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve('yaml', { paths: [cdk8s] }));
}

const YAML = loadYaml();

/** The documents of a multi-document YAML text, read as YAML 1.1 like kubectl and the API server (`yes` is true). */
export function parseYamlDocuments(text: string, version: '1.1' | '1.2' = '1.1'): unknown[] {
  const docs = YAML.parseAllDocuments(text, { version });
  if (!Array.isArray(docs)) {
    throw new Error(`cannot parse YAML: ${docs.errors.map(e => e.message).join('; ')}`);
  }
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`cannot parse YAML: ${doc.errors.map(e => e.message).join('; ')}`);
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

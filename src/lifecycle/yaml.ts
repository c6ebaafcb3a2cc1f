import * as path from 'path';

/** The parts of the `yaml` package used here. */
interface YamlModule {
  stringify(value: unknown, options?: object): string;
  parse(text: string, options?: object): unknown;
}

/**
 * `yaml` is not a dependency of this package, but cdk8s (a peer dependency) bundles it: load that copy, so that
 * workflows are rendered and parsed by the same YAML library cdk8s uses for manifests.
 */
function loadYaml(): YamlModule {
  const cdk8s = path.dirname(require.resolve('cdk8s'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve('yaml', { paths: [cdk8s] }));
}

const YAML = loadYaml();

/**
 * YAML 1.1 output like cdk8s's: strings YAML 1.1 would read as something else (`on`, `yes`, `0755`) are quoted,
 * multi-line strings become block scalars, lines are never folded.
 */
export function toYaml(value: unknown): string {
  return YAML.stringify(value, { version: '1.1', lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
}

/** Parse one YAML document (YAML 1.2 core schema, as GitHub and actionlint read workflows: `on` stays a string). */
export function parseYaml(text: string): unknown {
  return YAML.parse(text);
}

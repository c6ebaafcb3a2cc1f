/**
 * Checks hand-written Terraform JSON blocks against a provider schema in the format of `terraform providers schema
 * -json` (test/schemas/terraform/, SOURCES.md there): what Terraform itself would refuse at `validate` when the provider
 * is installed, which it cannot be here (no registry). Used for the `aminueza/minio` blocks that src/tf/minio.ts writes
 * without generated bindings.
 *
 * Own code: no npm package validates Terraform JSON against a provider schema (terraform's own check needs the
 * provider binary). It covers what the library's blocks can get wrong: unknown attributes and blocks, missing required
 * attributes, computed-only attributes set, value types (a Terraform reference `${...}` stands for any type), and the
 * schema file's cross-attribute rules (`x-inopsio-constraints`: conflicts, required-with, minimum).
 */
import * as fs from 'fs';

interface SchemaAttribute {
  readonly type: string | unknown[];
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
}

interface SchemaBlock {
  readonly attributes?: { [name: string]: SchemaAttribute };
  readonly block_types?: { [name: string]: { nesting_mode: string; max_items?: number; block: SchemaBlock } };
}

interface Constraints {
  readonly conflicts_with?: Array<[string, string]>;
  readonly required_with?: Array<[string, string]>;
  readonly at_least?: { [name: string]: number };
}

/** A provider's schema, read from a `terraform providers schema -json` file. */
export interface ProviderSchema {
  readonly source: string;
  readonly provider: SchemaBlock;
  readonly resources: { [type: string]: SchemaBlock };
  readonly dataSources: { [type: string]: SchemaBlock };
  readonly constraints: { [typeOrProvider: string]: Constraints };
}

/** Read the schema of `source` (`registry.terraform.io/aminueza/minio`) from a schema file. */
export function readProviderSchema(file: string, source: string): ProviderSchema {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const p = json?.provider_schemas?.[source];
  if (!p) throw new Error(`${file} has no schema of ${source}`);
  const blocks = (m: any) => Object.fromEntries(Object.entries<any>(m ?? {}).map(([k, v]) => [k, v.block]));
  return { source, provider: p.provider.block, resources: blocks(p.resource_schemas), dataSources: blocks(p.data_source_schemas), constraints: json['x-inopsio-constraints'] ?? {} };
}

/** Meta-arguments Terraform accepts on every resource and data source (and cdktf's `//` comments). */
const META = new Set(['//', 'count', 'for_each', 'provider', 'depends_on', 'lifecycle', 'provisioner', 'connection']);

const REFERENCE = /\$\{/;

function typeProblem(type: string | unknown[], value: unknown): string | undefined {
  if (typeof value === 'string' && REFERENCE.test(value)) return undefined;
  if (type === 'string') return typeof value === 'string' ? undefined : 'is not a string';
  if (type === 'bool') return typeof value === 'boolean' ? undefined : 'is not a bool';
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value) ? undefined : 'is not a number';
  if (Array.isArray(type) && type[0] === 'map') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'is not a map';
    const bad = Object.entries(value as object).find(([, v]) => typeProblem(type[1] as string, v) !== undefined);
    return bad ? `has entry "${bad[0]}" that ${typeProblem(type[1] as string, bad[1])}` : undefined;
  }
  return `has type ${JSON.stringify(type)}, which this check does not know`;
}

function checkBlock(block: SchemaBlock, body: any, at: string, meta: boolean, constraints: Constraints | undefined): string[] {
  const problems: string[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return [`${at}: is not an object`];
  const attributes = block.attributes ?? {};
  const blockTypes = block.block_types ?? {};
  for (const [key, value] of Object.entries(body)) {
    if (meta && META.has(key)) continue;
    const a = attributes[key];
    const b = blockTypes[key];
    if (b) {
      const items = Array.isArray(value) ? value : [value];
      if (b.max_items !== undefined && items.length > b.max_items) problems.push(`${at}.${key}: has ${items.length} blocks, at most ${b.max_items} allowed`);
      items.forEach((item, i) => problems.push(...checkBlock(b.block, item, `${at}.${key}[${i}]`, false, undefined)));
    } else if (!a) {
      problems.push(`${at}.${key}: is not an argument of the schema`);
    } else if (a.computed && !a.optional && !a.required) {
      problems.push(`${at}.${key}: is computed only and cannot be set`);
    } else {
      const t = typeProblem(a.type, value);
      if (t) problems.push(`${at}.${key}: ${t} (got ${JSON.stringify(value)})`);
    }
  }
  for (const [key, a] of Object.entries(attributes)) {
    if (a.required && body[key] === undefined) problems.push(`${at}.${key}: is required and missing`);
  }
  for (const [x, y] of constraints?.conflicts_with ?? []) {
    if (body[x] !== undefined && body[y] !== undefined) problems.push(`${at}: sets both ${x} and ${y}, which conflict`);
  }
  for (const [x, y] of constraints?.required_with ?? []) {
    if (body[x] !== undefined && body[y] === undefined) problems.push(`${at}: sets ${x} without ${y}`);
  }
  for (const [key, min] of Object.entries(constraints?.at_least ?? {})) {
    if (typeof body[key] === 'number' && body[key] < min) problems.push(`${at}.${key}: is ${body[key]}, less than ${min}`);
  }
  return problems;
}

/**
 * Every problem of the blocks of a synthesized stack (`cdk.tf.json` as JSON) that belong to the provider `name`
 * (`minio`): the provider configurations, and each resource and data source whose type starts with `<name>_`. A
 * type the schema does not know is a problem too. Also returns how many blocks were checked (a check of none proves
 * nothing).
 */
export function checkProviderBlocks(schema: ProviderSchema, name: string, stack: any): { checked: number; problems: string[] } {
  const problems: string[] = [];
  let checked = 0;
  const configs = stack?.provider?.[name];
  for (const [i, config] of (Array.isArray(configs) ? configs : configs === undefined ? [] : [configs]).entries()) {
    checked++;
    problems.push(...checkBlock(schema.provider, config, `provider.${name}[${i}]`, false, schema.constraints.provider));
  }
  for (const [section, types] of [['resource', schema.resources], ['data', schema.dataSources]] as const) {
    for (const [type, blocks] of Object.entries<any>(stack?.[section] ?? {})) {
      if (!type.startsWith(`${name}_`)) continue;
      const block = types[type];
      for (const [id, body] of Object.entries<any>(blocks ?? {})) {
        checked++;
        const at = `${section === 'data' ? 'data.' : ''}${type}.${id}`;
        if (!block) problems.push(`${at}: ${section === 'data' ? 'data source' : 'resource'} type ${type} is not in the ${schema.source} schema`);
        else problems.push(...checkBlock(block, body, at, true, schema.constraints[type]));
      }
    }
  }
  return { checked, problems };
}

import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import * as fc from 'fast-check';
import { referenceEnvironments } from './fixtures';
import { buildInventory } from '../../src/lifecycle/inventory';
import { JsonSchema, SCHEMA_DIRECTORY } from '../../src/lifecycle/json-schema';

const SCHEMAS = ['lifecycle-inventory.schema.json', 'tenant-signup.schema.json', 'tenant-registry.schema.json'];
const load = (f: string) => JSON.parse(fs.readFileSync(path.join(SCHEMA_DIRECTORY, f), 'utf8'));

const validSamples: { [file: string]: unknown } = {
  'lifecycle-inventory.schema.json': JSON.parse(JSON.stringify(buildInventory(referenceEnvironments()))),
  'tenant-signup.schema.json': { tenantId: 'acme', displayName: 'Acme Corp', environment: 'prod', signedUpAt: '2026-11-28T09:00:00Z', modules: ['billing'], requestId: 'evt_123' },
  'tenant-registry.schema.json': {
    format: 'inopsio-tenant-registry/v1',
    environment: 'prod',
    modules: { billing: { chart: 'billing-api', repository: 'https://charts.inopsio.example', version: '3.4.1', values: { replicaCount: '2' } } },
    defaultModules: ['billing'],
    tenants: [{ id: 'acme', displayName: 'Acme Corp', state: 'active', createdAt: '2026-01-15T10:00:00Z', modules: ['billing'] }],
  },
};

/** Every path (as key arrays) in a JSON document. */
function paths(doc: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function mutate(doc: unknown, at: Array<string | number>, op: 'set' | 'delete' | 'add', value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(doc));
  if (at.length === 0) return op === 'set' ? value : copy;
  let parent: any = copy;
  for (const key of at.slice(0, -1)) parent = parent[key];
  const last = at[at.length - 1];
  if (op === 'set') parent[last] = value;
  else if (op === 'delete') Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last];
  else if (parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last])) parent[last].extra = value;
  else if (Array.isArray(parent[last])) parent[last].push(value);
  return copy;
}

const jsonValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, 1, -1, 2, 90, 1.5, '', 'acme', 'Acme', 'x'.repeat(300), '2026-11-28T09:00:00Z', 'active', 'argo-cd', 'permanent', 'ephemeral'),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.constant([]), fc.constant({}), fc.constant(['acme']), fc.constant({ enabled: false }),
);

describe('JsonSchema (the runtime validator shipped with the CLI)', () => {
  test.each(SCHEMAS)('%s compiles under ajv strict mode and loads here', file => {
    expect(() => new Ajv({ strict: true, strictRequired: false }).compile(load(file))).not.toThrow();
    expect(() => JsonSchema.load(file)).not.toThrow();
  });

  test.each(SCHEMAS)('%s: agrees with ajv on the valid sample and on 400 random mutations of it', file => {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(load(file));
    const ours = JsonSchema.load(file);
    const sample = validSamples[file];
    expect(ajv(sample)).toBe(true);
    expect(ours.validate(sample)).toEqual([]);
    const all = paths(sample);
    let invalid = 0;
    fc.assert(fc.property(fc.nat({ max: all.length - 1 }), fc.constantFrom<'set' | 'delete' | 'add'>('set', 'delete', 'add'), jsonValue, (i, op, value) => {
      const doc = mutate(sample, all[i], op, value);
      const expected = ajv(doc) as boolean;
      const problems = ours.validate(doc);
      if (!expected) invalid++;
      expect({ at: all[i], op, value, valid: problems.length === 0 }).toEqual({ at: all[i], op, value, valid: expected });
    }), { numRuns: 400, seed: 20261128 });
    // The mutations must actually exercise the invalid side, or the agreement proves little.
    expect(invalid).toBeGreaterThan(100);
  });

  test('refuses a schema that uses a keyword it does not implement, instead of ignoring it', () => {
    expect(() => new JsonSchema({ type: 'string', format: 'email' })).toThrow(/keywords this validator does not implement: #\/format/);
    expect(() => new JsonSchema({ type: 'object', properties: { a: { dependentRequired: {} } } })).toThrow(/#\/properties\/a\/dependentRequired/);
    expect(() => new JsonSchema({ type: 'array', items: [{ type: 'string' }] })).toThrow(/tuple form/);
  });

  test('reports every problem with its JSON pointer', () => {
    const problems = JsonSchema.load('tenant-signup.schema.json').validate({ tenantId: 'Acme_Corp', environment: 'prod', signedUpAt: 'yesterday', colour: 'blue' });
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\/: is missing required property "displayName"$/),
      expect.stringMatching(/^\/tenantId: must match/),
      expect.stringMatching(/^\/signedUpAt: must match/),
      expect.stringMatching(/^\/colour: is not an allowed property$/),
    ]));
  });
});

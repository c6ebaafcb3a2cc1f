import * as fs from 'fs';
import * as path from 'path';

/**
 * A small, strict JSON Schema (draft-07) interpreter for the schemas this package ships in `schemas/`.
 *
 * Why not ajv: ajv is a dev dependency only, and the CLI must validate inventories and sign-up payloads wherever
 * the package is installed. This interpreter supports exactly the keywords our schemas use and REFUSES any other
 * keyword when a schema is loaded, so a schema can never rely on a keyword that is silently ignored here. The tests
 * validate the same documents with ajv and check both agree (test/lifecycle/json-schema.test.ts).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: any } | boolean;

const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'examples', 'default']);
const KEYWORDS = new Set([
  '$ref', 'definitions', 'type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'propertyNames',
  'items', 'minItems', 'maxItems', 'uniqueItems', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum',
  'minProperties', 'maxProperties', 'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else',
]);

/** Where the JSON Schemas shipped with the package live (`<package>/schemas`), from `src/lifecycle` or `lib/lifecycle`. */
export const SCHEMA_DIRECTORY = path.resolve(__dirname, '..', '..', 'schemas');

/** A loaded schema that validates documents and reports every problem as `<json pointer>: <message>`. */
export class JsonSchema {
  /** Load one of the package's schemas by file name, e.g. `lifecycle-inventory.schema.json`. */
  public static load(fileName: string): JsonSchema {
    const cached = CACHE.get(fileName);
    if (cached) return cached;
    const schema = new JsonSchema(JSON.parse(fs.readFileSync(path.join(SCHEMA_DIRECTORY, fileName), 'utf8')));
    CACHE.set(fileName, schema);
    return schema;
  }

  /** The schema document. */
  public readonly document: { [key: string]: any };

  constructor(document: { [key: string]: any }) {
    this.document = document;
    const unsupported: string[] = [];
    checkKeywords(document, '#', unsupported);
    if (unsupported.length > 0) {
      throw new Error(`JSON Schema uses keywords this validator does not implement: ${unsupported.join(', ')}`);
    }
  }

  /** Every problem of `data`, in document order; an empty list means valid. */
  public validate(data: unknown): string[] {
    const errors: string[] = [];
    this.check(this.document, data as Json, '', errors);
    return [...new Set(errors)];
  }

  private check(schema: Schema, data: Json, at: string, errors: string[]): void {
    if (schema === true) return;
    if (schema === false) {
      errors.push(`${at || '/'}: is not allowed`);
      return;
    }
    const where = at || '/';
    if (schema.$ref !== undefined) {
      this.check(this.resolve(schema.$ref), data, at, errors);
    }
    if (schema.type !== undefined) {
      const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!types.some(t => hasType(data, t))) {
        errors.push(`${where}: must be ${types.join(' or ')}, got ${typeName(data)}`);
        return;
      }
    }
    if (schema.enum !== undefined && !schema.enum.some((v: Json) => equal(v, data))) {
      errors.push(`${where}: must be one of ${schema.enum.map((v: Json) => JSON.stringify(v)).join(', ')}, got ${short(data)}`);
    }
    if (schema.const !== undefined && !equal(schema.const, data)) {
      errors.push(`${where}: must be ${JSON.stringify(schema.const)}, got ${short(data)}`);
    }
    if (typeof data === 'string') {
      const length = [...data].length;
      if (schema.minLength !== undefined && length < schema.minLength) errors.push(`${where}: must have at least ${schema.minLength} characters`);
      if (schema.maxLength !== undefined && length > schema.maxLength) errors.push(`${where}: must have at most ${schema.maxLength} characters`);
      if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(data)) errors.push(`${where}: must match ${schema.pattern}, got ${short(data)}`);
    }
    if (typeof data === 'number') {
      if (schema.minimum !== undefined && data < schema.minimum) errors.push(`${where}: must be at least ${schema.minimum}, got ${data}`);
      if (schema.maximum !== undefined && data > schema.maximum) errors.push(`${where}: must be at most ${schema.maximum}, got ${data}`);
    }
    if (Array.isArray(data)) {
      if (schema.minItems !== undefined && data.length < schema.minItems) errors.push(`${where}: must have at least ${schema.minItems} items`);
      if (schema.maxItems !== undefined && data.length > schema.maxItems) errors.push(`${where}: must have at most ${schema.maxItems} items`);
      if (schema.uniqueItems === true) {
        for (let i = 0; i < data.length; i++) {
          for (let j = 0; j < i; j++) {
            if (equal(data[i], data[j])) errors.push(`${where}: items ${j} and ${i} are identical`);
          }
        }
      }
      if (schema.items !== undefined) data.forEach((item, i) => this.check(schema.items, item, `${at}/${i}`, errors));
    }
    if (isObject(data)) {
      const keys = Object.keys(data);
      if (schema.minProperties !== undefined && keys.length < schema.minProperties) errors.push(`${where}: must have at least ${schema.minProperties} properties`);
      if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) errors.push(`${where}: must have at most ${schema.maxProperties} properties`);
      for (const name of schema.required ?? []) {
        if (!(name in data)) errors.push(`${where}: is missing required property "${name}"`);
      }
      const properties = schema.properties ?? {};
      for (const key of keys) {
        const child = `${at}/${escapePointer(key)}`;
        if (schema.propertyNames !== undefined) {
          const nameErrors: string[] = [];
          this.check(schema.propertyNames, key, child, nameErrors);
          if (nameErrors.length > 0) errors.push(`${child}: is not an allowed property name`);
        }
        if (Object.prototype.hasOwnProperty.call(properties, key)) {
          this.check(properties[key], data[key], child, errors);
        } else if (schema.additionalProperties === false) {
          errors.push(`${child}: is not an allowed property`);
        } else if (schema.additionalProperties !== undefined && schema.additionalProperties !== true) {
          this.check(schema.additionalProperties, data[key], child, errors);
        }
      }
    }
    for (const sub of schema.allOf ?? []) this.check(sub, data, at, errors);
    if (schema.anyOf !== undefined && !schema.anyOf.some((sub: Schema) => this.matches(sub, data, at))) {
      errors.push(`${where}: matches none of the allowed shapes (anyOf)`);
    }
    if (schema.oneOf !== undefined) {
      const count = schema.oneOf.filter((sub: Schema) => this.matches(sub, data, at)).length;
      if (count !== 1) errors.push(`${where}: must match exactly one allowed shape (oneOf), matches ${count}`);
    }
    if (schema.not !== undefined && this.matches(schema.not, data, at)) {
      errors.push(`${where}: matches a forbidden shape (not)`);
    }
    if (schema.if !== undefined) {
      if (this.matches(schema.if, data, at)) {
        if (schema.then !== undefined) this.check(schema.then, data, at, errors);
      } else if (schema.else !== undefined) {
        this.check(schema.else, data, at, errors);
      }
    }
  }

  private matches(schema: Schema, data: Json, at: string): boolean {
    const errors: string[] = [];
    this.check(schema, data, at, errors);
    return errors.length === 0;
  }

  private resolve(ref: string): Schema {
    const m = /^#\/definitions\/([^/]+)$/.exec(ref);
    const found = m ? this.document.definitions?.[m[1]] : undefined;
    if (found === undefined) throw new Error(`JSON Schema reference ${ref} does not resolve (only "#/definitions/<name>" is supported)`);
    return found;
  }
}

const CACHE = new Map<string, JsonSchema>();

function checkKeywords(schema: any, at: string, out: string[]): void {
  if (typeof schema === 'boolean') return;
  if (!isObject(schema)) {
    out.push(`${at} (not a schema)`);
    return;
  }
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key)) continue;
    if (!KEYWORDS.has(key)) {
      out.push(`${at}/${key}`);
      continue;
    }
    if (key === 'properties' || key === 'definitions') {
      for (const [name, sub] of Object.entries(value as object)) checkKeywords(sub, `${at}/${key}/${name}`, out);
    } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
      (value as any[]).forEach((sub, i) => checkKeywords(sub, `${at}/${key}/${i}`, out));
    } else if (['items', 'not', 'if', 'then', 'else', 'propertyNames'].includes(key) || (key === 'additionalProperties' && typeof value !== 'boolean')) {
      if (key === 'items' && Array.isArray(value)) out.push(`${at}/items (tuple form)`);
      else checkKeywords(value, `${at}/${key}`, out);
    } else if (key === 'pattern') {
      new RegExp(value as string, 'u');
    }
  }
}

function isObject(x: unknown): x is { [key: string]: Json } {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function hasType(data: Json, type: string): boolean {
  switch (type) {
    case 'null': return data === null;
    case 'boolean': return typeof data === 'boolean';
    case 'string': return typeof data === 'string';
    case 'number': return typeof data === 'number' && Number.isFinite(data);
    case 'integer': return typeof data === 'number' && Number.isInteger(data);
    case 'array': return Array.isArray(data);
    case 'object': return isObject(data);
    default: throw new Error(`JSON Schema type "${type}" is unknown`);
  }
}

function typeName(data: Json): string {
  if (data === null) return 'null';
  if (Array.isArray(data)) return 'array';
  if (typeof data === 'number' && Number.isInteger(data)) return 'integer';
  return typeof data;
}

function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as Json[]).length && a.every((x, i) => equal(x, (b as Json[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every(k => Object.prototype.hasOwnProperty.call(b, k) && equal((a as any)[k], (b as any)[k]));
}

function short(data: Json): string {
  const text = JSON.stringify(data) ?? String(data);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

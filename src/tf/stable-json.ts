/**
 * The JSON that cdktf writes to `cdk.tf.json`, byte for byte, without its garbage. cdktf 0.21 serializes each stack
 * with `json-stable-stringify` 1.3 (`{ space: 2 }`: keys sorted at every level), which builds every level's text by
 * joining its children's and re-creates each indentation per call: for a 30 MB stack (3,000 tenants) about 300 MB
 * of short-lived strings, at the moment the process holds the most. This writes the same text in chunks instead.
 *
 * Same rules as json-stable-stringify: `toJSON()` is called first; `undefined`, functions and symbols are skipped in
 * objects and written as `null` in arrays; object keys sorted with the default sort; a cycle throws; empty objects
 * and arrays still get their line break (`{\n  }`).
 */

/** The value as json-stable-stringify sees it: after `toJSON()`. */
function prepare(node: any): any {
  return node && typeof node.toJSON === 'function' ? node.toJSON() : node;
}

/** Values that produce no text: skipped in objects, `null` in arrays. */
function producesNothing(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * Write `value` as json-stable-stringify with `{ space }` would, handing the text to `sink` in pieces of about
 * `chunkSize` characters. Returns false (and writes nothing) when the value itself produces no text.
 */
export function writeStableJson(value: unknown, space: string, sink: (chunk: string) => void, chunkSize: number = 1_048_576): boolean {
  const indents: string[] = [];
  const indentOf = (level: number) => indents[level] ?? (indents[level] = space ? `\n${space.repeat(level)}` : '');
  const colon = space ? ': ' : ':';
  const ancestors: object[] = [];
  let buffer = '';
  const emit = (text: string) => {
    buffer += text;
    if (buffer.length >= chunkSize) {
      sink(buffer);
      buffer = '';
    }
  };
  const write = (node: any, level: number): void => {
    if (typeof node !== 'object' || node === null) {
      emit(JSON.stringify(node));
      return;
    }
    const indent = indentOf(level);
    const inner = indentOf(level + 1);
    if (Array.isArray(node)) {
      emit('[');
      for (let i = 0; i < node.length; i++) {
        if (i > 0) emit(',');
        emit(inner);
        const item = prepare(node[i]);
        if (producesNothing(item)) emit('null');
        else write(item, level + 1);
      }
      emit(`${indent}]`);
      return;
    }
    if (ancestors.includes(node)) throw new TypeError('Converting circular structure to JSON');
    ancestors.push(node);
    emit('{');
    let written = 0;
    for (const key of Object.keys(node).sort()) {
      const item = prepare(node[key]);
      if (producesNothing(item)) continue;
      emit(`${written > 0 ? ',' : ''}${inner}${JSON.stringify(key)}${colon}`);
      write(item, level + 1);
      written++;
    }
    emit(`${indent}}`);
    ancestors.pop();
  };
  const top = prepare(value);
  if (producesNothing(top)) return false;
  write(top, 0);
  if (buffer.length > 0) sink(buffer);
  return true;
}

/** The whole text at once (for tests and small values); `undefined` when the value produces none. */
export function stableJson(value: unknown, space: string): string | undefined {
  const chunks: string[] = [];
  return writeStableJson(value, space, chunk => chunks.push(chunk)) ? chunks.join('') : undefined;
}

/**
 * A value kept as its JSON text until it is written (bounded memory: a released tenant's blocks, docs/performance.md).
 * `writeStableJson` and `JSON.stringify` call `toJSON()`, so the value is parsed only while it is written, and the
 * bytes are those of the value itself. The text is kept as UTF-8 bytes outside the JavaScript heap (several values
 * share one buffer): as strings, tens of thousands of blocks made the live heap larger, and V8 grows its heap to a
 * multiple of the live set; `JSON.stringify` also returns large texts as string ropes, whose nodes cost as much again.
 */
export class DeferredJson {
  /** Keep each of `values` as its JSON text, in one buffer. */
  public static all(values: unknown[]): DeferredJson[] {
    const texts = values.map(v => JSON.stringify(v));
    const buffer = Buffer.from(texts.join(''), 'utf8');
    let start = 0;
    return texts.map(text => {
      const end = start + Buffer.byteLength(text, 'utf8');
      const deferred = new DeferredJson(buffer, start, end);
      start = end;
      return deferred;
    });
  }

  private constructor(private readonly buffer: Buffer, private readonly start: number, private readonly end: number) {}

  /** The value, parsed again (a new object each call). */
  public toJSON(): unknown {
    return JSON.parse(this.buffer.toString('utf8', this.start, this.end));
  }
}

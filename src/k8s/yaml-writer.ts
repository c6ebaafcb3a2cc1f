import { Yaml } from 'cdk8s';

/**
 * A YAML writer for plain JSON documents (what `ApiObject.toJson()` returns) that gives exactly the bytes of cdk8s's
 * `Yaml.stringify(...docs)` (the `yaml` package 2.x with `{ keepUndefined: true, lineWidth: 0, version: '1.1' }`),
 * several times faster: it writes strings directly instead of building and walking a YAML node tree per document.
 *
 * It ports the parts of the `yaml` package's stringifier that such documents reach (block maps and sequences, plain,
 * quoted and literal block scalars, YAML 1.1 scalar resolution). Anything else (non-JSON values, non-finite or huge
 * numbers, control characters, keys over 1024 characters) makes the whole document go through `Yaml.stringify`, so
 * the output never differs; `test/k8s/yaml-writer.test.ts` compares both on generated and real documents.
 */
export function stringifyDocuments(documents: readonly any[]): string {
  let out = '';
  for (let i = 0; i < documents.length; i++) {
    if (i > 0) out += '---\n';
    out += stringifyDocument(documents[i]);
  }
  return out;
}

/** One document, as `Yaml.stringify(doc)`. */
export function stringifyDocument(doc: any): string {
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc) && isPlainObject(doc)) {
    try {
      return `${node(doc, '')}\n`;
    } catch (e) {
      if (e !== FALLBACK) throw e;
    }
  }
  return Yaml.stringify(doc);
}

/** Thrown (never escapes) when a value is outside what this writer ports. */
const FALLBACK = new Error('yaml-writer: fall back to the yaml package');

const INDENT_STEP = '  ';

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** A non-scalar value at context indent `indent` (yaml's stringifyBlockCollection). */
function node(value: any, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const itemIndent = indent + INDENT_STEP;
    let str = '';
    for (let i = 0; i < value.length; i++) {
      const line = `- ${item(value[i], itemIndent)}`;
      str += i === 0 ? line : `\n${indent}${line}`;
    }
    return str;
  }
  if (!isPlainObject(value)) throw FALLBACK;
  let str = '';
  let first = true;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const line = pair(key, value[key], indent);
    str += first ? line : `\n${indent}${line}`;
    first = false;
  }
  return first ? '{}' : str;
}

/** A sequence item (yaml: stringify(item, itemCtx) with ctx.indent = itemIndent). */
function item(value: any, itemIndent: string): string {
  if (value !== null && typeof value === 'object') return node(value, itemIndent);
  return scalar(value, itemIndent, false);
}

/** A map pair (yaml's stringifyPair, block context, no comments). */
function pair(key: string, value: any, indent: string): string {
  const ctxIndent = indent + INDENT_STEP;
  const keyStr = stringScalar(key, ctxIndent, true);
  if (keyStr.length > 1024) throw FALLBACK;
  if (value !== null && typeof value === 'object') {
    const isEmpty = Array.isArray(value) ? value.length === 0 : isPlainObject(value) && isEmptyObject(value);
    const valueStr = node(value, ctxIndent);
    return isEmpty ? `${keyStr}: ${valueStr}` : `${keyStr}:\n${ctxIndent}${valueStr}`;
  }
  const valueStr = scalar(value, ctxIndent, false);
  return valueStr === '' || valueStr[0] === '\n' ? `${keyStr}:${valueStr}` : `${keyStr}: ${valueStr}`;
}

function isEmptyObject(o: object): boolean {
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) return false;
  return true;
}

function scalar(value: any, indent: string, implicitKey: boolean): string {
  switch (typeof value) {
    case 'string':
      return stringScalar(value, indent, implicitKey);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // Integers: int tag, decimal; other finite numbers: JSON form, as long as it has no exponent.
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
      if (Number.isFinite(value) && !Number.isInteger(value)) {
        const s = JSON.stringify(value);
        if (!s.includes('e')) return s;
      }
      throw FALLBACK;
    default:
      if (value === null) return 'null';
      throw FALLBACK;
  }
}

// ---- strings: a port of yaml/dist/stringify/stringifyString.js (2.x) for lineWidth 0, block context ----

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\uD800-\uDFFF]/;
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
/**
 * Plain scalars that YAML 1.1 reads as something other than a string: the tests of the yaml-1.1 schema's default
 * tags (the merge key `<<` is left plain by the yaml package, so it is not here).
 */
const NON_STRING_1_1: RegExp[] = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
  /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
  /^[-+]?0b[0-1_]+$/,
  /^[-+]?0[0-7_]+$/,
  /^[-+]?[0-9][0-9_]*$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:t|T|[ \t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\.[0-9]+)?)(?:[ \t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$/,
];
/** Only strings that can match one of NON_STRING_1_1 need the full test. */
const MAY_BE_NON_STRING = /^(?:$|[-+0-9.~eE]|[NnYyTtFfOo])/;
const DOUBLE_QUOTED_MIN_MULTILINE_LENGTH = 40;

/** Memo of short single-line strings (keys, names and label values repeat across documents). */
const plainCache = new Map<string, string>();
const PLAIN_CACHE_LIMIT = 20_000;
const PLAIN_CACHE_MAX_LENGTH = 64;

function stringScalar(value: string, indent: string, implicitKey: boolean): string {
  if (CONTROL.test(value)) throw FALLBACK; // yaml forces double quotes with escapes here; rare, not ported
  if (!value.includes('\n')) {
    // Single-line strings render the same at any indent unless they hold a document marker (root keys).
    const cacheable = value.length <= PLAIN_CACHE_MAX_LENGTH && !DOCUMENT_MARKER.test(value);
    const cacheKey = implicitKey ? `k${value}` : `v${value}`;
    if (cacheable) {
      const hit = plainCache.get(cacheKey);
      if (hit !== undefined) return hit;
    }
    const rendered = plainString(value, indent, implicitKey);
    if (cacheable) {
      if (plainCache.size >= PLAIN_CACHE_LIMIT) plainCache.clear();
      plainCache.set(cacheKey, rendered);
    }
    return rendered;
  }
  return plainString(value, indent, implicitKey);
}

function plainString(value: string, indent: string, implicitKey: boolean): string {
  const multiline = value.includes('\n');
  if (implicitKey && multiline) return quotedString(value, indent, implicitKey);
  if (NOT_PLAIN.test(value)) {
    return implicitKey || !multiline ? quotedString(value, indent, implicitKey) : blockString(value, indent, implicitKey);
  }
  if (!implicitKey && multiline) return blockString(value, indent, implicitKey);
  if (DOCUMENT_MARKER.test(value)) {
    if (indent === '') throw FALLBACK; // only a root scalar, never reached from a map
    if (implicitKey && indent === INDENT_STEP) return quotedString(value, indent, implicitKey);
  }
  // `value` has no newline here (multi-line values went to blockString, multi-line keys to quotedString).
  if (MAY_BE_NON_STRING.test(value) && NON_STRING_1_1.some(re => re.test(value))) {
    return quotedString(value, indent, implicitKey);
  }
  return value;
}

function quotedString(value: string, indent: string, implicitKey: boolean): string {
  const hasDouble = value.includes('"');
  const hasSingle = value.includes("'");
  return hasDouble && !hasSingle ? singleQuotedString(value, indent, implicitKey) : doubleQuotedString(value, indent, implicitKey);
}

function singleQuotedString(value: string, indent: string, implicitKey: boolean): string {
  if ((implicitKey && value.includes('\n')) || /[ \t]\n|\n[ \t]/.test(value)) {
    return doubleQuotedString(value, indent, implicitKey);
  }
  const ind = indent || (DOCUMENT_MARKER.test(value) ? '  ' : '');
  return `'${value.replace(/'/g, "''").replace(/\n+/g, `$&\n${ind}`)}'`;
}

function doubleQuotedString(value: string, ctxIndent: string, implicitKey: boolean): string {
  const json = JSON.stringify(value);
  const indent = ctxIndent || (DOCUMENT_MARKER.test(value) ? '  ' : '');
  let str = '';
  let start = 0;
  for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
    if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
      // space before newline needs to be escaped to not be folded
      str += json.slice(start, i) + '\\ ';
      i += 1;
      start = i;
      ch = '\\';
    }
    if (ch === '\\') {
      switch (json[i + 1]) {
        case 'u': {
          str += json.slice(start, i);
          const code = json.substr(i + 2, 4);
          switch (code) {
            case '0000': str += '\\0'; break;
            case '0007': str += '\\a'; break;
            case '000b': str += '\\v'; break;
            case '001b': str += '\\e'; break;
            case '0085': str += '\\N'; break;
            case '00a0': str += '\\_'; break;
            case '2028': str += '\\L'; break;
            case '2029': str += '\\P'; break;
            default:
              if (code.substr(0, 2) === '00') str += '\\x' + code.substr(2);
              else str += json.substr(i, 6);
          }
          i += 5;
          start = i + 1;
          break;
        }
        case 'n':
          if (implicitKey || json[i + 2] === '"' || json.length < DOUBLE_QUOTED_MIN_MULTILINE_LENGTH) {
            i += 1;
          } else {
            // folding will eat first newline
            str += json.slice(start, i) + '\n\n';
            while (json[i + 2] === '\\' && json[i + 3] === 'n' && json[i + 4] !== '"') {
              str += '\n';
              i += 2;
            }
            str += indent;
            // space after newline needs to be escaped to not be folded
            if (json[i + 2] === ' ') str += '\\';
            i += 1;
            start = i + 1;
          }
          break;
        default:
          i += 1;
      }
    }
  }
  return start ? str + json.slice(start) : json;
}

/** yaml's blockString with blockQuote: true and lineWidth 0 (always literal `|`), no comments. */
function blockString(input: string, ctxIndent: string, implicitKey: boolean): string {
  let value = input;
  if (/\n[\t ]+$/.test(value)) return quotedString(value, ctxIndent, implicitKey);
  const indent = ctxIndent || (DOCUMENT_MARKER.test(value) ? '  ' : '');
  if (!value) return '|\n';
  // chomping from the whitespace at the end
  let endStart: number;
  for (endStart = value.length; endStart > 0; --endStart) {
    const ch = value[endStart - 1];
    if (ch !== '\n' && ch !== '\t' && ch !== ' ') break;
  }
  let end = value.substring(endStart);
  const endNlPos = end.indexOf('\n');
  let chomp: string;
  if (endNlPos === -1) chomp = '-';
  else if (value === end || endNlPos !== end.length - 1) chomp = '+';
  else chomp = '';
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === '\n') end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  // indentation indicator from the whitespace at the start
  let startWithSpace = false;
  let startEnd: number;
  let startNlPos = -1;
  for (startEnd = 0; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNlPos = startEnd;
    else break;
  }
  let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const indentSize = indent ? '2' : '1';
  const header = (startWithSpace ? indentSize : '') + chomp;
  value = value.replace(/\n+/g, `$&${indent}`);
  return `|${header}\n${indent}${start}${value}${end}`;
}

const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;

import * as fs from 'fs';
import * as path from 'path';
import { AssetType, DefaultTokenResolver, LazyBase, ISynthesisSession, StringConcat, TerraformAsset, TerraformElement, TerraformOutput, TerraformStack, Token, Tokenization } from 'cdktf';
import { IConstruct } from 'constructs';
import { writeStableJson } from './stable-json';

const WRITING = new WeakSet<TerraformStack>();

/** Who reads each stack's JSON as it is written (`readingStacks`), if anyone. */
let stackReader: ((stack: string, file: string, json: unknown) => void) | undefined;

/**
 * Run `synth` (a cdktf App's synthesis) handing `reader` the JSON of every stack written with `useLeanSynthesis`,
 * as it is about to be written: the stack's folder name, its file, and the JSON (blocks held as text are values with
 * a `toJSON()`). So that what must be read from the stacks (the inventory's prerequisites) is not parsed back from
 * the files, tens of megabytes each at thousands of tenants.
 */
export function readingStacks(reader: (stack: string, file: string, json: unknown) => void, synth: () => void): void {
  const previous = stackReader;
  stackReader = reader;
  try {
    synth();
  } finally {
    stackReader = previous;
  }
}

/**
 * Let `stack` write its `cdk.tf.json` with `writeStableJson` (the same bytes as cdktf, in chunks) instead of
 * cdktf's `json-stable-stringify`, whose garbage peaks at several times the file's size just when a large platform
 * holds the most (docs/performance.md). cdktf's own synthesizer still runs first (aspects, validations, assets,
 * annotations, the manifest) while the stack's `toTerraform()` answers a placeholder (`writesPlaceholder`); then the
 * stack is written once, for real. HCL output is left to cdktf.
 */
export function useLeanSynthesis(stack: TerraformStack): void {
  const cdktfSynthesizer = stack.synthesizer;
  stack.synthesizer = {
    synthesize: (session: ISynthesisSession) => {
      if (session.manifest.hclOutput) {
        cdktfSynthesizer.synthesize(session);
        copyReleasedAssets(stack, session);
        return;
      }
      WRITING.add(stack);
      try {
        cdktfSynthesizer.synthesize(session);
      } finally {
        WRITING.delete(stack);
      }
      copyReleasedAssets(stack, session);
      const file = path.join(session.outdir, session.manifest.forStack(stack).synthesizedStackPath);
      const fd = fs.openSync(file, 'w');
      try {
        // A stack that defers blocks (EnvironmentStack: its released tenants') hands them over unparsed.
        const forWriting = (stack as unknown as { _terraformForWriting?: () => unknown })._terraformForWriting;
        const json = typeof forWriting === 'function' ? forWriting.call(stack) : stack.toTerraform();
        stackReader?.(session.manifest.forStack(stack).name, file, json);
        writeStableJson(json, '  ', chunk => fs.writeSync(fd, chunk));
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

/** True while cdktf's synthesizer runs for a stack under `useLeanSynthesis`: its `toTerraform()` answers `{}`. */
export function writesPlaceholder(stack: TerraformStack): boolean {
  return WRITING.has(stack);
}

/**
 * `TerraformStack.toTerraform()` of cdktf 0.21, the same JSON built with less garbage: cdktf resolves every element's
 * fragment into an array, deep-merges them into a new object and then resolves that whole object again, so that the
 * stack exists three times over at its largest (a 3,000-tenant stack is about 80 MB of JSON). Here each fragment is
 * resolved and merged as it comes, and of the second resolution only what it does not repeat is done: the stack's
 * raw overrides (`addOverride`), merged unresolved as cdktf merges them and then resolved where they landed. Tested to
 * give cdktf's result, key order included, on every stack of a platform and on stacks with every kind of element
 * (test/tf/lean-synthesis.test.ts).
 */
export function stackTerraform(stack: TerraformStack): any {
  // Read at run time as cdktf's own method does (private in the typings only).
  const internals = stack as unknown as { rawOverrides: { [key: string]: unknown }; cdktfVersion: string };
  const overrides = Object.keys(internals.rawOverrides);
  const metadata: { [key: string]: unknown } = {
    // `cloud` holds its place in the key order as in cdktf (set by a cloud backend's metadata, else left undefined).
    version: internals.cdktfVersion, stackName: stack.node.id, backend: 'local', cloud: undefined, ...(overrides.length > 0 ? { overrides: { stack: overrides } } : {}),
  };
  const elements = stackElements(stack);
  for (const e of elements) mergeInto(metadata, resolveIn(stack, e.toMetadata()));
  const outputs: { [key: string]: unknown } = {};
  for (const e of elements) {
    if (!TerraformOutput.isTerraformOutput(e)) continue;
    mergeInto(outputs, e.node.path.split('/').reduceRight<{ [key: string]: unknown }>(
      (inner, part) => (Object.keys(inner).length === 0 ? { [part]: e.friendlyUniqueId } : { [part]: inner }), {}));
  }
  const tf: { [key: string]: unknown } = { '//': { metadata, outputs } };
  for (const e of elements) mergeInto(tf, resolveIn(stack, e.toTerraform()));
  mergeInto(tf, internals.rawOverrides);
  resolveWhereOverridden(stack, tf, internals.rawOverrides);
  return tf;
}

/** Resolve, in `target`, each value an override set (its leaves: values that are not plain objects). */
function resolveWhereOverridden(stack: TerraformStack, target: any, overrides: { [key: string]: unknown }): void {
  for (const key of Object.keys(overrides)) {
    const value = overrides[key];
    if (!(key in target)) continue;
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && !Tokenization.isResolvable(value)) {
      resolveWhereOverridden(stack, target[key], value as { [key: string]: unknown });
      continue;
    }
    const resolved = resolveIn(stack, target[key]);
    if (resolved === undefined) delete target[key];
    else target[key] = resolved;
  }
}

/** cdktf's internal `resolve(scope, obj)` (lib/_tokens): the default resolver, not preparing. */
const TOKEN_RESOLVER = new DefaultTokenResolver(new StringConcat());
function resolveIn(stack: TerraformStack, value: unknown): any {
  return Tokenization.resolve(value, { scope: stack, preparing: false, resolver: TOKEN_RESOLVER });
}

/**
 * The Terraform elements of a stack in construct order, not those of a stack nested in it, as cdktf lists them for
 * synthesis (`terraformElementsOf` in pre-write.ts is another question: every element below a scope, as a set).
 */
function stackElements(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) if (!TerraformStack.isStack(child)) stackElements(child, into);
  return into;
}

/**
 * cdktf's `deepMerge` (lib/util, not exported): objects merged key by key (a resolvable value replaces), arrays
 * appended to an array already there, `undefined` deletes. Its values here are resolved, so no resolvable occurs.
 */
function mergeInto(target: any, source: any): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      if (typeof target[key] !== 'object') target[key] = {};
      if (Tokenization.isResolvable(value)) target[key] = value;
      else mergeInto(target[key], value);
    } else if (Array.isArray(value)) {
      target[key] = Array.isArray(target[key]) ? [...target[key], ...value] : value;
    } else if (value === undefined) {
      delete target[key];
    } else {
      target[key] = value;
    }
  }
}

/**
 * `TerraformStack.prepareStack()` of cdktf 0.21 with the same effect at a fraction of the cost. cdktf resolves every
 * element's whole configuration in "preparing" mode and throws the result away: the run exists for the side effects
 * of resolving tokens (a reference to another stack's resource registers a cross-stack output and a remote-state data
 * source). Here only the values that hold a token are resolved in that mode, found by walking the configuration: a
 * string with a token marker or a number that may encode one, a token-encoded number, a list token, a map token, a
 * resolvable object. A plain value has no side effect to resolve. The walk was a fifth of the Terraform side's time at
 * 1,000 tenants (docs/performance.md); the references it must keep are tested in test/tf/lean-synthesis.test.ts.
 */
export function prepareStackLean(stack: TerraformStack): void {
  stack.ensureBackendExists();
  for (const e of stackElements(stack)) prepareTokens(stack, e.toTerraform());
}

/** A string that may hold a token: a marker (`${TfToken[`, `#{TfToken[`, `&{TfToken[`) or a number with an exponent. */
const MAY_HOLD_TOKEN = /TfToken\[|\d[eE][+-]?\d/;

function prepareTokens(stack: TerraformStack, value: unknown): void {
  if (typeof value === 'string') {
    if (MAY_HOLD_TOKEN.test(value)) resolvePreparing(stack, value);
  } else if (typeof value === 'number') {
    if (Token.isUnresolved(value)) resolvePreparing(stack, value);
  } else if (typeof value !== 'object' || value === null || value instanceof Date) {
    return;
  } else if (Tokenization.isResolvable(value)) {
    resolvePreparing(stack, value);
  } else if (Array.isArray(value)) {
    // A list token (an encoded string or number element) is resolved with its list, as cdktf resolves it.
    if (value.some(x => (typeof x === 'string' && x.includes('TfToken[')) || (typeof x === 'number' && Token.isUnresolved(x)))) resolvePreparing(stack, value);
    else for (const x of value) prepareTokens(stack, x);
  } else if (Object.keys(value).some(k => MAY_HOLD_TOKEN.test(k))) {
    // A map token, or a key that is a token: the object is resolved as a whole.
    resolvePreparing(stack, value);
  } else {
    for (const x of Object.values(value)) prepareTokens(stack, x);
  }
}

function resolvePreparing(stack: TerraformStack, value: unknown): void {
  Tokenization.resolve(value, { scope: stack, preparing: true, resolver: TOKEN_RESOLVER });
}

/** Per stack: the assets of released constructs (`releaseElements`), copied where their TerraformAsset would write them. */
const RELEASED_ASSETS = new WeakMap<TerraformStack, Array<{ source: string; target: string; type: AssetType }>>();

function copyReleasedAssets(stack: TerraformStack, session: ISynthesisSession): void {
  const base = path.join(session.manifest.outdir, session.manifest.forStack(stack).synthesizedStackPath, '..');
  for (const a of RELEASED_ASSETS.get(stack) ?? []) {
    const target = path.join(base, a.target);
    // What cdktf's `TerraformAsset` does on synthesis: a fresh copy of the file or folder (no archives here).
    fs.mkdirSync(a.type === AssetType.DIRECTORY ? target : path.dirname(target), { recursive: true });
    if (a.type === AssetType.DIRECTORY) fs.cpSync(a.source, target, { recursive: true });
    else fs.copyFileSync(a.source, target);
  }
}

/** What `releaseElements` keeps of released constructs: their resolved blocks and override keys. */
export interface ReleasedElements {
  /** The elements' Terraform JSON, resolved and merged as `stackTerraform` merges it (partial stack JSON). */
  readonly blocks: any;
  /** `//.metadata.overrides` entries of the elements, by resource type, in construct order. */
  readonly overrides: { [resourceType: string]: string[] };
}

/**
 * Resolve the Terraform elements below `scopes` (constructs of `stack`) as the stack's synthesis would (prepared as
 * `prepareStackLean` prepares them, for their cross-stack references; resolved and merged as `stackTerraform` merges
 * them) and record their assets, which the stack then copies on synthesis where each `TerraformAsset` would have
 * written it. The caller removes the scopes from the tree and merges the blocks into the stack's JSON
 * (`mergeTenantFragments`). Undefined, and nothing recorded, when an element is one `stackTerraform` treats apart (an
 * output), carries metadata other than override keys, or an asset is an archive: then the scopes must stay.
 */
export function releaseElements(stack: TerraformStack, scopes: IConstruct[]): ReleasedElements | undefined {
  const elements = scopes.flatMap(s => stackElements(s));
  const assets = scopes.flatMap(s => s.node.findAll()).filter((c): c is TerraformAsset => c instanceof TerraformAsset);
  if (elements.some(e => TerraformOutput.isTerraformOutput(e)) || assets.some(a => a.type === AssetType.ARCHIVE)) return undefined;
  const metadata: { [key: string]: any } = {};
  for (const e of elements) mergeInto(metadata, resolveIn(stack, e.toMetadata()));
  if (Object.keys(metadata).some(k => k !== 'overrides')) return undefined;
  for (const e of elements) prepareTokens(stack, e.toTerraform());
  const blocks: { [key: string]: unknown } = {};
  for (const e of elements) mergeInto(blocks, resolveIn(stack, e.toTerraform()));
  const list = RELEASED_ASSETS.get(stack) ?? [];
  RELEASED_ASSETS.set(stack, list);
  // `sourcePath` is private in the typings only (cdktf 0.21 reads it the same way on synthesis).
  for (const a of assets) list.push({ source: (a as unknown as { sourcePath: string }).sourcePath, target: a.path, type: a.type });
  return { blocks, overrides: metadata.overrides ?? {} };
}

/** cdktf's process-wide token map (`TokenMap.instance()`, kept on `global.__cdktfTokenMap`), as far as read here. */
interface TokenStore {
  stringTokenMap: Map<string, unknown>;
  numberTokenMap: Map<number, unknown>;
  tokenCounter: number;
  registerStringKey(token: unknown, hint?: string): string;
  registerNumberKey(token: unknown, list: boolean): number;
}

/** The tokens registered while a tenant's Terraform was built (`openTokenWindow`). */
export interface TokenWindow {
  readonly strings: string[];
  readonly numbers: number[];
}

const OPEN_WINDOWS = new Set<TokenWindow>();
const HOOKED = Symbol('inopsio.tokenWindows');

function tokenStore(): TokenStore | undefined {
  const store = (global as unknown as { __cdktfTokenMap?: TokenStore }).__cdktfTokenMap;
  const ok = store && store.stringTokenMap instanceof Map && store.numberTokenMap instanceof Map
    && typeof store.registerStringKey === 'function' && typeof store.registerNumberKey === 'function';
  return ok ? store : undefined;
}

/**
 * Start recording the tokens cdktf registers (for `releaseTokens`). cdktf keeps every token it ever encoded in a
 * process-wide map, and a `Lazy`'s producer or a nested-block output reference keeps the constructs it was made from:
 * without this, a released tenant's constructs stay reachable from that map until the process ends.
 */
export function openTokenWindow(): TokenWindow {
  const store = tokenStore();
  const window: TokenWindow = { strings: [], numbers: [] };
  if (!store) return window;
  if (!(store as any)[HOOKED]) {
    (store as any)[HOOKED] = true;
    const registerString = store.registerStringKey.bind(store);
    const registerNumber = store.registerNumberKey.bind(store);
    store.registerStringKey = (token, hint) => {
      const key = registerString(token, hint);
      for (const w of OPEN_WINDOWS) w.strings.push(key);
      return key;
    };
    store.registerNumberKey = (token, list) => {
      const counter = store.tokenCounter;
      const encoded = registerNumber(token, list);
      for (const w of OPEN_WINDOWS) w.numbers.push(counter);
      return encoded;
    };
  }
  OPEN_WINDOWS.add(window);
  return window;
}

/** Stop recording into `window` (a tenant kept whole: nothing of it is released). */
export function closeTokenWindow(window: TokenWindow): void {
  OPEN_WINDOWS.delete(window);
}

/**
 * Forget the tokens of `window` that keep released constructs reachable or only name them: the `Lazy` values made
 * while the tenant was built (the library makes them for the tenant's own policies and `depends_on` only), the output
 * references of resources below `scopes`, and the references to the released blocks' own addresses (`addresses`:
 * `<type>.<name>` and `data.<type>.<name>`; tens of them per tenant, each with its identifier). Their values are
 * resolved already (`releaseElements`); nothing resolves them again. References to other elements and expressions
 * stay (a shared element's cached reference may have been first made while a tenant was built).
 */
export function releaseTokens(window: TokenWindow, scopes: IConstruct[], addresses: ReadonlySet<string> = new Set()): void {
  closeTokenWindow(window);
  const store = tokenStore();
  if (!store) return;
  const prefixes = scopes.map(s => `${s.node.path}/`);
  const addressOf = (identifier: string): string => identifier.split('.').slice(0, identifier.startsWith('data.') ? 3 : 2).join('.');
  const releasable = (token: unknown): boolean => {
    if (token instanceof LazyBase) return true;
    const resource = (token as { terraformResource?: IConstruct } | null)?.terraformResource;
    const p = resource?.node?.path;
    if (typeof p === 'string' && prefixes.some(prefix => `${p}/`.startsWith(prefix))) return true;
    // A reference (cdktf's `Reference`: an identifier and its origin stack) to one of the released blocks.
    const identifier = (token as { identifier?: unknown; originStack?: unknown } | null)?.identifier;
    return typeof identifier === 'string' && (token as { originStack?: unknown }).originStack !== undefined && addresses.has(addressOf(identifier));
  };
  for (const key of window.strings) if (releasable(store.stringTokenMap.get(key))) store.stringTokenMap.delete(key);
  for (const key of window.numbers) if (releasable(store.numberTokenMap.get(key))) store.numberTokenMap.delete(key);
}

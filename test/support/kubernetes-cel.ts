/**
 * CEL as a Kubernetes release evaluates it, for the tests of the generated admission policies.
 *
 * Parsing and evaluation are `@bufbuild/cel` (a CEL implementation of the cel-spec conformance suite). What it does not
 * know is which functions a given Kubernetes release offers: the API server compiles expressions against a base
 * environment whose libraries are versioned (k8s.io/apiserver/pkg/cel/environment/base.go, `IntroducedVersion`), and a
 * new or changed expression is compiled for the release before it (`DefaultCompatibilityVersion()`, n-1), so that a
 * rollback still understands it. A library introduced at 1.N is therefore usable in a policy written to 1.N+1 and later.
 * `KUBERNETES_CEL_LIBRARIES` below encodes that; `celProblems` refuses a function the target does not have (or that
 * Kubernetes does not have at all), by walking the parsed expression.
 *
 * Limits: functions are matched by name and receiver shape, not by type (no type checker runs), so a name that several
 * libraries share is allowed from the earliest of them; the optional-value syntax (`a.?b`, `a[?k]`, 1.29+) does not
 * parse in @bufbuild/cel and is refused as a parse error; the Kubernetes `image` library (1.34) is not listed, so its
 * functions are refused as unknown. All three err on the side of refusing.
 */
import { celEnv, CelScalar, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { KubernetesVersion } from '../../src/model/kubernetes-version';

/** One library of the Kubernetes CEL base environment. */
export interface KubernetesCelLibrary {
  /** The library, as base.go and the Kubernetes CEL documentation name it. */
  readonly name: string;
  /** The first release whose policies may use it (its `IntroducedVersion` + 1, see the module comment). */
  readonly since: KubernetesVersion;
  /** Global functions and methods by name; namespaced ones as `namespace.function`. */
  readonly functions: readonly string[];
}

/** The version-dependent part of Kubernetes CEL, 1.28 to 1.36 (base.go: the environment `IntroducedVersion`s). */
export const KUBERNETES_CEL_LIBRARIES: readonly KubernetesCelLibrary[] = [
  {
    name: 'CEL standard definitions and macros',
    since: KubernetesVersion.V1_28,
    functions: [
      'size', 'contains', 'startsWith', 'endsWith', 'matches', 'int', 'uint', 'double', 'string', 'bytes', 'bool', 'dyn', 'type',
      'duration', 'timestamp', 'getFullYear', 'getMonth', 'getDayOfYear', 'getDayOfMonth', 'getDate', 'getDayOfWeek', 'getHours',
      'getMinutes', 'getSeconds', 'getMilliseconds',
    ],
  },
  { name: 'Kubernetes list library', since: KubernetesVersion.V1_28, functions: ['isSorted', 'sum', 'min', 'max', 'indexOf', 'lastIndexOf'] },
  { name: 'Kubernetes regex library', since: KubernetesVersion.V1_28, functions: ['find', 'findAll'] },
  { name: 'Kubernetes URL library', since: KubernetesVersion.V1_28, functions: ['url', 'isURL', 'getScheme', 'getHost', 'getHostname', 'getPort', 'getEscapedPath', 'getQuery'] },
  {
    name: 'CEL strings extension, version 0',
    since: KubernetesVersion.V1_28,
    functions: ['charAt', 'indexOf', 'lastIndexOf', 'lowerAscii', 'replace', 'split', 'substring', 'trim', 'upperAscii', 'join'],
  },
  {
    name: 'Kubernetes authorizer library (introduced 1.27)',
    since: KubernetesVersion.V1_28,
    functions: ['path', 'group', 'serviceAccount', 'resource', 'subresource', 'namespace', 'name', 'check', 'allowed', 'reason', 'errored', 'error'],
  },
  {
    name: 'Kubernetes quantity library (introduced 1.28)',
    since: KubernetesVersion.V1_29,
    functions: ['quantity', 'isQuantity', 'sign', 'isGreaterThan', 'isLessThan', 'compareTo', 'add', 'sub', 'asInteger', 'isInteger', 'asApproximateFloat'],
  },
  {
    name: 'CEL optional types (introduced 1.28)',
    since: KubernetesVersion.V1_29,
    functions: ['optional.of', 'optional.none', 'optional.ofNonZeroValue', 'hasValue', 'value', 'orValue', 'or'],
  },
  { name: 'CEL strings extension, version 2 (introduced 1.29)', since: KubernetesVersion.V1_30, functions: ['format', 'strings.quote'] },
  { name: 'CEL sets extension (introduced 1.29)', since: KubernetesVersion.V1_30, functions: ['sets.contains', 'sets.equivalent', 'sets.intersects'] },
  {
    name: 'Kubernetes IP address and CIDR libraries (introduced 1.30)',
    since: KubernetesVersion.V1_31,
    functions: [
      'ip', 'isIP', 'ip.isCanonical', 'family', 'isUnspecified', 'isLoopback', 'isLinkLocalMulticast', 'isLinkLocalUnicast', 'isGlobalUnicast',
      'cidr', 'isCIDR', 'containsIP', 'containsCIDR', 'masked', 'prefixLength',
    ],
  },
  {
    name: 'Kubernetes format library (introduced 1.31)',
    since: KubernetesVersion.V1_32,
    functions: [
      'format.named', 'format.dns1123Label', 'format.dns1123Subdomain', 'format.dns1035Label', 'format.qualifiedName', 'format.dns1123LabelPrefix',
      'format.dns1123SubdomainPrefix', 'format.dns1035LabelPrefix', 'format.labelValue', 'format.uri', 'format.uuid', 'format.byte', 'format.date',
      'format.datetime', 'validate',
    ],
  },
  { name: 'Kubernetes authorizer selectors (introduced 1.31, AuthorizeWithSelectors)', since: KubernetesVersion.V1_32, functions: ['fieldSelector', 'labelSelector'] },
  {
    name: 'CEL two-variable comprehensions (introduced 1.32)',
    since: KubernetesVersion.V1_33,
    functions: ['all/2', 'exists/2', 'existsOne/2', 'transformList', 'transformMap', 'transformMapEntry'],
  },
  { name: 'Kubernetes semver library (introduced 1.33)', since: KubernetesVersion.V1_34, functions: ['semver', 'isSemver', 'major', 'minor', 'patch'] },
];

/** The variables a ValidatingAdmissionPolicy expression may read. */
export const ADMISSION_VARIABLES = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'authorizer', 'variables'];

/** Where each function becomes available: the earliest library that has it. */
const SINCE = new Map<string, { since: KubernetesVersion; library: string }>();
for (const lib of KUBERNETES_CEL_LIBRARIES) {
  for (const f of lib.functions) {
    const known = SINCE.get(f);
    if (!known || !lib.since.isAtLeast(known.since)) SINCE.set(f, { since: lib.since, library: lib.name });
  }
}

/**
 * Receivers that name a function namespace rather than a value (`sets.contains(a, b)`): those of the table, and CEL
 * extensions Kubernetes does not offer (so that their functions are reported by their full name).
 */
const NAMESPACES = new Set([...[...SINCE.keys()].filter(f => f.includes('.')).map(f => f.split('.')[0]), 'cel', 'math', 'base64', 'proto', 'lists', 'regex']);

/** The two-variable forms of the comprehension macros (`m.all(k, v, p)`), which @bufbuild/cel parses as plain calls. */
const TWO_VARIABLE_MACROS = new Set(['all', 'exists', 'existsOne', 'exists_one']);

type Expr = ReturnType<typeof parse>['expr'];

/** A function an expression calls: its name as the library tables list it (`sets.contains`, `all/2`). */
interface Call {
  readonly name: string;
}

/** Every function call in a parsed expression (operators and macros that expand to comprehensions excluded). */
function callsOf(root: Expr): { calls: Call[]; free: Set<string> } {
  const calls: Call[] = [];
  const free = new Set<string>();
  const walk = (e: Expr | undefined, bound: ReadonlySet<string>): void => {
    if (!e) return;
    const k = e.exprKind;
    switch (k.case) {
      case 'identExpr':
        if (!bound.has(k.value.name)) free.add(k.value.name);
        return;
      case 'selectExpr':
        walk(k.value.operand, bound);
        return;
      case 'listExpr':
        k.value.elements.forEach(x => walk(x, bound));
        return;
      case 'structExpr':
        k.value.entries.forEach(entry => {
          if (entry.keyKind.case === 'mapKey') walk(entry.keyKind.value, bound);
          walk(entry.value, bound);
        });
        return;
      case 'comprehensionExpr': {
        const c = k.value;
        walk(c.iterRange, bound);
        walk(c.accuInit, bound);
        const inner = new Set([...bound, c.iterVar, c.accuVar, ...(c.iterVar2 ? [c.iterVar2] : [])]);
        if (c.iterVar2) calls.push({ name: 'all/2' });
        walk(c.loopCondition, inner);
        walk(c.loopStep, inner);
        walk(c.result, new Set([...bound, c.accuVar]));
        return;
      }
      case 'callExpr': {
        const c = k.value;
        const fn = c.function;
        if (/^[_@!-]/.test(fn)) {
          // Operators (`_&&_`, `!_`, `@in`, `_[_]`, `_?_:_`, ...): part of every release.
          walk(c.target, bound);
          c.args.forEach(a => walk(a, bound));
          return;
        }
        const target = c.target;
        const receiver = target?.exprKind.case === 'identExpr' ? target.exprKind.value.name : undefined;
        const isNamespace = receiver !== undefined && NAMESPACES.has(receiver) && !bound.has(receiver) && !ADMISSION_VARIABLES.includes(receiver);
        const namespace = isNamespace ? receiver : undefined;
        if (namespace !== undefined) {
          calls.push({ name: `${namespace}.${fn}` });
          c.args.forEach(a => walk(a, bound));
          return;
        }
        const twoVariables = target !== undefined && TWO_VARIABLE_MACROS.has(fn) && c.args.length === 3
          && c.args[0].exprKind.case === 'identExpr' && c.args[1].exprKind.case === 'identExpr';
        if (twoVariables) {
          calls.push({ name: `${fn === 'exists_one' ? 'existsOne' : fn}/2` });
          walk(target, bound);
          const names = c.args.slice(0, 2).map(a => (a.exprKind.case === 'identExpr' ? a.exprKind.value.name : ''));
          walk(c.args[2], new Set([...bound, ...names]));
          return;
        }
        calls.push({ name: fn });
        walk(target, bound);
        c.args.forEach(a => walk(a, bound));
        return;
      }
      default:
        return;
    }
  };
  walk(root, new Set());
  return { calls, free };
}

/** Parse with @bufbuild/cel; the error message on failure. */
function parsed(expression: string): { expr: Expr } | { error: string } {
  try {
    return { expr: parse(expression).expr };
  } catch (e) {
    return { error: (e as Error).message.split('\n')[0] };
  }
}

/**
 * Why a target Kubernetes release would refuse the expression: it does not parse, it calls a function Kubernetes CEL
 * does not have, or one that comes with a later release. Empty when the target compiles it.
 */
export function celProblems(expression: string, target: KubernetesVersion): string[] {
  const p = parsed(expression);
  if ('error' in p) return [`does not parse: ${p.error}`];
  const problems: string[] = [];
  for (const name of [...new Set(callsOf(p.expr).calls.map(c => c.name))].sort()) {
    const found = SINCE.get(name);
    if (!found) problems.push(`calls ${name}(), which Kubernetes CEL does not have`);
    else if (!target.isAtLeast(found.since)) problems.push(`calls ${name}() from the ${found.library}, which Kubernetes ${target.name} does not have (from ${found.since.name})`);
  }
  return problems;
}

/** The variables an expression reads (comprehension variables excluded). */
export function freeIdentifiers(expression: string): Set<string> {
  const p = parsed(expression);
  if ('error' in p) throw new Error(`CEL does not parse: ${p.error}: ${expression}`);
  return callsOf(p.expr).free;
}

/** The functions an expression calls, as `KUBERNETES_CEL_LIBRARIES` names them. */
export function calledFunctions(expression: string): string[] {
  const p = parsed(expression);
  if ('error' in p) throw new Error(`CEL does not parse: ${p.error}: ${expression}`);
  return [...new Set(callsOf(p.expr).calls.map(c => c.name))].sort();
}

const dyn = CelScalar.DYN;
const ENV = celEnv({
  funcs: strings,
  variables: { object: dyn, oldObject: dyn, request: dyn, params: dyn, namespaceObject: dyn, variables: dyn },
});

/**
 * Evaluate an expression over bindings. A CEL runtime error throws: with `failurePolicy: Fail` the API server would
 * refuse the request, which in a test is a bug of the expression, not an outcome.
 */
export function evaluate(expression: string, bindings: { [name: string]: unknown }): unknown {
  const result = evaluateCel(expression, bindings);
  return typeof result === 'bigint' ? Number(result) : result;
}

/** Evaluate and keep CEL's own value types (a CEL int stays a bigint), e.g. to bind it again as a variable. */
function evaluateCel(expression: string, bindings: { [name: string]: unknown }): unknown {
  const p = parsed(expression);
  if ('error' in p) throw new Error(`CEL does not parse: ${p.error}: ${expression}`);
  const result = plan(ENV, p.expr)(bindings as any);
  if (isCelError(result)) throw new Error(`CEL error: ${result.message} in ${expression}`);
  return result;
}

/** The outcome of running a ValidatingAdmissionPolicy spec against one request, as the API server would. */
export interface AdmissionOutcome {
  readonly matched: boolean;
  readonly allowed: boolean;
  readonly messages: string[];
  readonly auditAnnotations: { [key: string]: string };
}

/**
 * Evaluate a policy spec's matchConditions, variables, validations and auditAnnotations for a request
 * (matchConstraints are not evaluated here: the caller decides whether the request is in scope).
 */
export function admit(spec: any, input: { request: any; object: unknown; oldObject: unknown; namespaceObject?: unknown }): AdmissionOutcome {
  const base = { request: input.request, object: input.object, oldObject: input.oldObject };
  for (const mc of spec.matchConditions ?? []) {
    if (evaluate(mc.expression, base) === false) return { matched: false, allowed: true, messages: [], auditAnnotations: {} };
  }
  const variables: { [k: string]: unknown } = {};
  const scope = () => ({ ...base, namespaceObject: input.namespaceObject ?? null, variables: { ...variables } });
  for (const v of spec.variables ?? []) variables[v.name] = evaluateCel(v.expression, scope());
  const messages: string[] = [];
  for (const val of spec.validations ?? []) {
    if (evaluate(val.expression, scope()) !== true) {
      messages.push(val.messageExpression ? String(evaluate(val.messageExpression, scope())) : val.message ?? `failed expression: ${val.expression}`);
    }
  }
  const auditAnnotations: { [key: string]: string } = {};
  for (const a of spec.auditAnnotations ?? []) {
    const v = evaluate(a.valueExpression, scope());
    if (typeof v === 'string' && v !== '') auditAnnotations[a.key] = v;
    else if (v !== null) throw new Error(`audit annotation ${a.key} is neither a string nor null`);
  }
  return { matched: true, allowed: messages.length === 0, messages, auditAnnotations };
}

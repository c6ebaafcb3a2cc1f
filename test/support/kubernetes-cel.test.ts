import { admit, calledFunctions, celProblems, evaluate, freeIdentifiers, KUBERNETES_CEL_LIBRARIES } from './kubernetes-cel';
import { KubernetesVersion } from '../../src/model/kubernetes-version';

const { V1_28, V1_29, V1_30, V1_31, V1_32, V1_33, V1_34, V1_36 } = KubernetesVersion;

describe('celProblems: which Kubernetes release compiles an expression', () => {
  test('standard CEL, the list/regex/URL libraries and strings v0 are in every supported release', () => {
    for (const e of [
      "request.userInfo.groups.exists(g, g in ['a', 'b']) && !request.userInfo.username.startsWith('system:')",
      "size(object.metadata.name.trim().lowerAscii()) <= 63 && object.metadata.name.matches('^[a-z]+$')",
      '[1, 2, 3].isSorted() && [1, 2].sum() == 3',
      "'abc'.find('[a-z]+') == 'abc' && isURL('https://example.com')",
      'object.spec.containers.all(c, has(c.image)) && object.spec.containers.map(c, c.name).size() > 0',
    ]) {
      for (const target of KubernetesVersion.supported()) expect(celProblems(e, target)).toEqual([]);
    }
  });

  test('a function from a later release is refused, naming the library and the first release with it', () => {
    expect(celProblems("quantity('1Gi').isGreaterThan(quantity('512Mi'))", V1_28)).toEqual([
      'calls isGreaterThan() from the Kubernetes quantity library (introduced 1.28), which Kubernetes 1.28 does not have (from 1.29)',
      'calls quantity() from the Kubernetes quantity library (introduced 1.28), which Kubernetes 1.28 does not have (from 1.29)',
    ]);
    expect(celProblems("quantity('1Gi').isGreaterThan(quantity('512Mi'))", V1_29)).toEqual([]);
    expect(celProblems("sets.contains(request.userInfo.groups, ['oidc:ops'])", V1_29)).toEqual([
      'calls sets.contains() from the CEL sets extension (introduced 1.29), which Kubernetes 1.29 does not have (from 1.30)',
    ]);
    expect(celProblems("'%s/%s'.format([request.namespace, request.name])", V1_29)).toEqual([
      'calls format() from the CEL strings extension, version 2 (introduced 1.29), which Kubernetes 1.29 does not have (from 1.30)',
    ]);
    expect(celProblems('ip(object.spec.clusterIP).family() == 4', V1_30)).toEqual([
      'calls family() from the Kubernetes IP address and CIDR libraries (introduced 1.30), which Kubernetes 1.30 does not have (from 1.31)',
      'calls ip() from the Kubernetes IP address and CIDR libraries (introduced 1.30), which Kubernetes 1.30 does not have (from 1.31)',
    ]);
    expect(celProblems('ip(object.spec.clusterIP).family() == 4', V1_31)).toEqual([]);
    expect(celProblems('!format.dns1123Label().validate(object.metadata.name).hasValue()', V1_31)).toEqual([
      'calls format.dns1123Label() from the Kubernetes format library (introduced 1.31), which Kubernetes 1.31 does not have (from 1.32)',
      'calls validate() from the Kubernetes format library (introduced 1.31), which Kubernetes 1.31 does not have (from 1.32)',
    ]);
    expect(celProblems('!format.dns1123Label().validate(object.metadata.name).hasValue()', V1_32)).toEqual([]);
    expect(celProblems('object.metadata.labels.all(k, v, v.size() <= 63)', V1_32)).toEqual([
      'calls all/2() from the CEL two-variable comprehensions (introduced 1.32), which Kubernetes 1.32 does not have (from 1.33)',
    ]);
    expect(celProblems('object.metadata.labels.all(k, v, v.size() <= 63)', V1_33)).toEqual([]);
    expect(celProblems("isSemver(object.metadata.labels['version'])", V1_33)).toEqual([
      'calls isSemver() from the Kubernetes semver library (introduced 1.33), which Kubernetes 1.33 does not have (from 1.34)',
    ]);
    expect(celProblems("isSemver(object.metadata.labels['version'])", V1_34)).toEqual([]);
  });

  test('a function Kubernetes CEL does not have at all, and an expression that does not parse, are refused for every release', () => {
    expect(celProblems('cel.bind(n, object.metadata.name, n + n)', V1_36)).toEqual(['calls cel.bind(), which Kubernetes CEL does not have']);
    expect(celProblems('math.greatest(1, 2) == 2', V1_36)).toEqual(['calls math.greatest(), which Kubernetes CEL does not have']);
    expect(celProblems("object.metadata.name.reverse() == 'x'", V1_36)).toEqual(['calls reverse(), which Kubernetes CEL does not have']);
    expect(celProblems('object.metadata.?labels', V1_36)).toEqual([expect.stringMatching(/^does not parse: /)]);
    expect(celProblems("request.name == 'a' &&", V1_28)).toEqual([expect.stringMatching(/^does not parse: /)]);
  });

  test('the library table: every entry from a supported release, no function listed twice within a release', () => {
    for (const lib of KUBERNETES_CEL_LIBRARIES) {
      expect(lib.since.isAtLeast(V1_28)).toBe(true);
      expect(new Set(lib.functions).size).toBe(lib.functions.length);
    }
  });
});

describe('evaluate (@bufbuild/cel) and the helpers', () => {
  test('free identifiers leave out comprehension variables; called functions leave out operators and macros', () => {
    const e = 'request.userInfo.groups.exists(g, g in variables.groups) && size(object.metadata.name) > 0 && has(oldObject.metadata)';
    expect([...freeIdentifiers(e)].sort()).toEqual(['object', 'oldObject', 'request', 'variables']);
    expect(calledFunctions(e)).toEqual(['size']);
  });

  test('CEL semantics: errors absorbed by || and &&, maps and missing keys, null objects', () => {
    expect(evaluate('object.missing == 1 || true', { object: {} })).toBe(true);
    expect(evaluate('false && object.missing == 1', { object: {} })).toBe(false);
    expect(() => evaluate('object.missing == 1', { object: {} })).toThrow(/CEL error/);
    expect(evaluate("'a' in object.metadata.labels", { object: { metadata: { labels: { a: 'x' } } } })).toBe(true);
    expect(evaluate('oldObject != null && has(oldObject.metadata)', { oldObject: null })).toBe(false);
    expect(evaluate("size('  héllo  '.trim())", {})).toBe(5);
  });

  test('admit runs matchConditions, variables, validations and audit annotations in order', () => {
    const spec = {
      matchConditions: [{ name: 'not-system', expression: "!request.userInfo.username.startsWith('system:')" }],
      variables: [{ name: 'n', expression: 'size(request.name)' }, { name: 'long', expression: 'variables.n > 3' }],
      validations: [{ expression: '!variables.long', messageExpression: "'name ' + request.name + ' is too long'" }],
      auditAnnotations: [{ key: 'who', valueExpression: 'variables.long ? request.userInfo.username : null' }],
    };
    const req = (username: string, name: string) => ({ request: { userInfo: { username }, name }, object: null, oldObject: null });
    expect(admit(spec, req('system:x', 'abcdef'))).toEqual({ matched: false, allowed: true, messages: [], auditAnnotations: {} });
    expect(admit(spec, req('alice', 'abc'))).toEqual({ matched: true, allowed: true, messages: [], auditAnnotations: {} });
    expect(admit(spec, req('alice', 'abcdef'))).toEqual({ matched: true, allowed: false, messages: ['name abcdef is too long'], auditAnnotations: { who: 'alice' } });
  });
});

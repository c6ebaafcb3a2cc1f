import { formatPrerequisites, parsePrerequisites } from '../../src/model/wiring-annotations';

describe('wiring annotations (W06 prerequisites)', () => {
  test('format sorts and deduplicates; parse reads it back', () => {
    const value = formatPrerequisites([{ kind: 'secret', name: 'pull' }, { kind: 'configmap', name: 'postgres-ca' }, { kind: 'secret', name: 'pull' }]);
    expect(value).toBe('configmap/postgres-ca,secret/pull');
    expect(parsePrerequisites(value)).toEqual([{ kind: 'configmap', name: 'postgres-ca' }, { kind: 'secret', name: 'pull' }]);
  });

  test('parse ignores what is not configmap/<name> or secret/<name>, and non-strings', () => {
    expect(parsePrerequisites('configmap/ca, pod/x,secret/Bad_Name,secret/, configmap/ok')).toEqual([{ kind: 'configmap', name: 'ca' }, { kind: 'configmap', name: 'ok' }]);
    expect(parsePrerequisites(undefined)).toEqual([]);
    expect(parsePrerequisites(['configmap/ca'])).toEqual([]);
  });
});

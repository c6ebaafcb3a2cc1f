import { KubernetesVersion } from '../../src/model/kubernetes-version';
import { LifecycleValidationError } from '../../src/model/problems';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof LifecycleValidationError) return e.problems;
    throw e;
  }
  throw new Error('expected a LifecycleValidationError');
}

describe('KubernetesVersion', () => {
  test('1.28 to 1.36, oldest first; the default is 1.35', () => {
    expect(KubernetesVersion.supported().map(v => v.name)).toEqual(['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36']);
    expect(KubernetesVersion.DEFAULT).toBe(KubernetesVersion.V1_35);
    expect(KubernetesVersion.supported()).toContain(KubernetesVersion.DEFAULT);
  });

  test('of() accepts "1.N", "v1.N" and a patch release, and returns the one instance', () => {
    expect(KubernetesVersion.of('1.33')).toBe(KubernetesVersion.V1_33);
    expect(KubernetesVersion.of('v1.28')).toBe(KubernetesVersion.V1_28);
    expect(KubernetesVersion.of('1.36.2')).toBe(KubernetesVersion.V1_36);
    expect(KubernetesVersion.of('v1.30.14')).toBe(KubernetesVersion.V1_30);
  });

  test('of() refuses anything else, and versions outside the range, with the fix', () => {
    expect(problems(() => KubernetesVersion.of('1.33.x'))).toEqual(['KubernetesVersion.of: version is not a Kubernetes minor version (got "1.33.x"); write "1.<minor>", e.g. "1.35"']);
    for (const bad of ['', 'latest', '2.1', '1', '1.', ' 1.30', 42 as any]) {
      expect(problems(() => KubernetesVersion.of(bad))).toHaveLength(1);
    }
    expect(problems(() => KubernetesVersion.of('1.27'))).toEqual([
      'KubernetesVersion.of: version is outside the supported range 1.28–1.36 (got "1.27"); upgrade the cluster to 1.28 or newer (older releases lack the APIs the library writes)',
    ]);
    expect(problems(() => KubernetesVersion.of('1.37'))).toEqual([
      'KubernetesVersion.of: version is outside the supported range 1.28–1.36 (got "1.37"); target 1.36, the newest release whose API changes this library version knows',
    ]);
  });

  test('what a version decides: the Pod Security label value and the kubectl release', () => {
    expect(KubernetesVersion.V1_35.podSecurityVersion).toBe('v1.35');
    expect(KubernetesVersion.V1_28.kubectlVersion).toBe('v1.28.0');
    expect(KubernetesVersion.V1_36.toString()).toBe('1.36');
    expect(`${KubernetesVersion.V1_30}`).toBe('1.30');
  });

  test('ordering', () => {
    expect(KubernetesVersion.V1_30.isAtLeast(KubernetesVersion.V1_30)).toBe(true);
    expect(KubernetesVersion.V1_31.isAtLeast(KubernetesVersion.V1_30)).toBe(true);
    expect(KubernetesVersion.V1_29.isAtLeast(KubernetesVersion.V1_30)).toBe(false);
    const all = KubernetesVersion.supported();
    all.forEach((v, i) => all.forEach((w, j) => expect(v.isAtLeast(w)).toBe(i >= j)));
  });

  test('isKubernetesVersion', () => {
    expect(KubernetesVersion.isKubernetesVersion(KubernetesVersion.V1_28)).toBe(true);
    expect(KubernetesVersion.isKubernetesVersion('1.28')).toBe(false);
    expect(KubernetesVersion.isKubernetesVersion({ name: '1.28', minor: 28 })).toBe(false);
    expect(KubernetesVersion.isKubernetesVersion(null)).toBe(false);
  });
});

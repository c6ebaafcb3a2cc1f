import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { chartOrder, synthCharts, topology, writeCharts } from '../../src/k8s/synth';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';

function platformApp(outdir: string, tenants: number, withDependencies: boolean): App {
  const env = new Environment({
    name: 'prod',
    environmentClass: EnvironmentClass.PRODUCTION,
    tenants: Array.from({ length: tenants }, (_, i) => ({ id: `tenant-${i}` })),
  });
  const app = new App({ outdir });
  const shared = new Chart(app, 'shared');
  const cm = new ApiObject(shared, 'Config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared', namespace: 'platform' } });
  for (const tenant of env.tenants) {
    const chart = new TenantChart(app, tenant.id, { environment: env, tenant });
    if (withDependencies) chart.tenantNamespace.namespace.node.addDependency(cm);
  }
  return app;
}

function readAll(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).sort()) out[f] = fs.readFileSync(path.join(dir, f), 'utf8');
  return out;
}

describe('linear synthesis', () => {
  const root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'synth-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test.each([false, true])('writes the same files and bytes as stock App.synth() (chart dependencies: %s)', withDependencies => {
    const stockDir = path.join(root, `stock-${withDependencies}`);
    const oursDir = path.join(root, `ours-${withDependencies}`);
    platformApp(stockDir, 12, withDependencies).synth();
    writeCharts(platformApp(oursDir, 12, withDependencies));
    const stock = readAll(stockDir);
    const ours = readAll(oursDir);
    expect(Object.keys(stock).length).toBe(13);
    expect(Object.keys(ours)).toEqual(Object.keys(stock));
    for (const file of Object.keys(stock)) expect(ours[file]).toBe(stock[file]);
    if (withDependencies) expect(Object.keys(ours)[0]).toMatch(/^0000-/);
  });

  test('validation still runs, once, and reports every construct path', () => {
    const app = new App({ outdir: path.join(root, 'invalid') });
    const chart = new Chart(app, 'c');
    chart.node.addValidation({ validate: () => ['something must have been added'] });
    expect(() => synthCharts(app)).toThrow(/\[c\] something must have been added/);
  });

  test('cost grows linearly: no per-chart re-validation of the whole app', () => {
    const app = platformApp(path.join(root, 'count'), 50, false);
    let calls = 0;
    for (const c of app.node.findAll()) c.node.addValidation({ validate: () => { calls++; return []; } });
    synthCharts(app);
    const constructs = app.node.findAll().length;
    expect(calls).toBe(constructs);
    calls = 0;
    app.synth(); // stock: one app-wide validation per chart plus one
    expect(calls).toBeGreaterThan(constructs * 50);
  });
});

describe('topology without building the dependency graph', () => {
  const graphOrder = (scope: App | Chart) => new DependencyGraph(scope.node).topology().map(c => c.node.path);
  const ours = (scope: App | Chart) => topology(scope, scope.node.findAll()).map(c => c.node.path);

  test.each([false, true])('is cdk8s\'s DependencyGraph topology, for the app and each chart (dependencies: %s)', withDependencies => {
    const app = platformApp(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'topology-')), 3, withDependencies);
    expect(ours(app)).toEqual(graphOrder(app));
    for (const chart of app.charts) expect(ours(chart)).toEqual(graphOrder(chart));
  });

  test.each([false, true])('the charts of an app come in the graph\'s order, without building it when no chart is a dependency (chart dependencies: %s)', withDependencies => {
    const app = platformApp(fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'topology-')), 4, withDependencies);
    // Dependencies inside a chart (the backup CronJob's on its ConfigMap) and, with chart dependencies, across charts.
    const tenant = app.charts.find(c => c.node.id === 'tenant-2')!;
    const objects = tenant.node.findAll().filter(c => c instanceof ApiObject);
    objects[objects.length - 1].node.addDependency(objects[0]);
    if (withDependencies) app.charts.find(c => c.node.id === 'tenant-0')!.node.addDependency(app.charts.find(c => c.node.id === 'tenant-3')!);
    const graph = new DependencyGraph(app.node).topology().filter(c => Chart.isChart(c)).map(c => c.node.path);
    expect(chartOrder(app, app.node.findAll()).map(c => c.node.path)).toEqual(graph);
    if (withDependencies) expect(graph.indexOf('tenant-3')).toBeLessThan(graph.indexOf('tenant-0'));
  });

  test('charts whose ids are array indexes: the graph lists them first, so it is built (negative control of the shortcut)', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'topology-')) });
    for (const id of ['b', '10', 'a', '2']) new ApiObject(new Chart(app, id), 'Config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id } });
    const findAllOrder = app.node.findAll().map(c => c.node.path);
    expect(graphOrder(app)).not.toEqual(findAllOrder);
    expect(ours(app)).toEqual(graphOrder(app));
    expect(chartOrder(app, app.node.findAll()).map(c => c.node.path)).toEqual(graphOrder(app).filter(p => !p.includes('/') && p !== ''));
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Names, Yaml } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { stopWorkloads, TenantChart } from './tenant-chart';

/** One synthesized chart: its file name (as stock cdk8s names it) and its documents in dependency order. */
export interface SynthesizedChart {
  readonly chart: Chart;
  readonly fileName: string;
  readonly documents: any[];
}

/**
 * Synthesize every chart of a cdk8s App in one pass.
 *
 * Stock `App.synth()` calls `Chart.toJson()` per chart, and each call re-runs app-wide dependency resolution and
 * validation, so an app with one chart per tenant costs O(charts × constructs) (PERFORMANCE.md). Here validation
 * and dependency resolution run once for the whole app and each chart is then ordered by its own topology, which
 * gives the same documents, in the same order, in linear time. `test/k8s/synth.test.ts` proves byte equality.
 */
export function synthCharts(app: App): SynthesizedChart[] {
  const all = app.node.findAll();
  validate(all);
  const hasDependantCharts = resolveDependencies(all);
  const charts = new DependencyGraph(app.node).topology().filter((c): c is Chart => Chart.isChart(c));
  let index = 0;
  return charts.map(chart => {
    const base = Names.toDnsLabel(chart);
    const fileName = `${hasDependantCharts ? `${(index++).toString().padStart(4, '0')}-` : ''}${base}${app.outputFileExtension}`;
    const documents = new DependencyGraph(chart.node).topology()
      .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
      .map(o => o.toJson());
    return { chart, fileName, documents: TenantChart.isTenantChart(chart) ? stopWorkloads(documents, chart.tenant.state) : documents };
  });
}

/** Write the charts of `app` like `App.synth()` with `YamlOutputType.FILE_PER_CHART` does, in linear time. */
export function writeCharts(app: App, outdir: string = app.outdir): SynthesizedChart[] {
  fs.mkdirSync(outdir, { recursive: true });
  const charts = synthCharts(app);
  for (const c of charts) {
    Yaml.save(path.join(outdir, c.fileName), c.documents);
  }
  return charts;
}

function validate(all: IConstruct[]): void {
  const errors: string[] = [];
  for (const child of all) {
    for (const error of child.node.validate()) {
      errors.push(`[${child.node.path}] ${error}`);
    }
  }
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
}

// The same three passes as cdk8s's own `resolveDependencies`, over a node list computed once.
function resolveDependencies(all: IConstruct[]): boolean {
  let hasDependantCharts = false;
  const charts = all.filter((x): x is Chart => Chart.isChart(x));
  for (const parent of charts) {
    for (const child of parent.node.children.filter(x => Chart.isChart(x))) {
      parent.node.addDependency(child);
      hasDependantCharts = true;
    }
  }
  const buildDependencies = () => {
    const deps: { source: IConstruct; target: IConstruct }[] = [];
    for (const child of all) {
      for (const dep of child.node.dependencies) deps.push({ source: child, target: dep });
    }
    return deps;
  };
  for (const dep of buildDependencies()) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      hasDependantCharts = true;
    }
  }
  for (const dep of buildDependencies()) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    const targets = dep.target.node.findAll().filter(c => c instanceof ApiObject && Chart.of(c) === targetChart);
    const sources = dep.source.node.findAll().filter(c => c instanceof ApiObject && Chart.of(c) === sourceChart);
    for (const target of targets) {
      for (const source of sources) {
        if (target !== source) source.node.addDependency(target);
      }
    }
  }
  return hasDependantCharts;
}

/** Every ApiObject below `scope`, for post-processing passes. */
export function apiObjectsOf(scope: Construct): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
}

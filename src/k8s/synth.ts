import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Names } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { finishTenantDocuments, TenantChart } from './tenant-chart';
import { stringifyDocuments } from './yaml-writer';

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
  const out: SynthesizedChart[] = [];
  eachChart(app, c => out.push(c));
  return out;
}

/** One chart written by `writeChartsEach`: its documents and the exact YAML text of its file. */
export interface WrittenChart extends SynthesizedChart {
  /** The file's content (`Yaml.stringify(...documents)`, byte for byte). */
  readonly yaml: string;
}

/** Write the charts of `app` like `App.synth()` with `YamlOutputType.FILE_PER_CHART` does, in linear time. */
export function writeCharts(app: App, outdir: string = app.outdir): SynthesizedChart[] {
  const out: SynthesizedChart[] = [];
  writeChartsEach(app, c => out.push({ chart: c.chart, fileName: c.fileName, documents: c.documents }), outdir);
  return out;
}

/**
 * `writeCharts`, one chart at a time: renders a chart, writes its file and hands it to `visit` before rendering the
 * next, so memory holds one chart's documents and YAML at a time instead of the whole app's (thousands of tenants).
 * The YAML comes from `stringifyDocuments`, the same bytes as cdk8s's `Yaml.save`.
 */
export function writeChartsEach(
  app: App, visit: (chart: WrittenChart) => void, outdir: string = app.outdir, include: (chart: Chart) => boolean = () => true,
): void {
  fs.mkdirSync(outdir, { recursive: true });
  eachChart(app, c => visit(writeFile(c, outdir)), include);
}

/**
 * Write one chart of an App that has no dependencies between charts (`hasChartDependencies(app)` is false), on its
 * own: the same file, name and bytes as `writeChartsEach` gives it. Validation and dependency resolution run over
 * the chart's constructs only, so a chart can be built, written and dropped before the next one is built.
 */
export function writeChart(chart: Chart, outdir: string): WrittenChart {
  const all = chart.node.findAll();
  validate(all);
  resolveDependencies(all);
  const app = App.of(chart);
  fs.mkdirSync(outdir, { recursive: true });
  return writeFile(render(chart, `${Names.toDnsLabel(chart)}${app.outputFileExtension}`), outdir);
}

/**
 * True if a chart of `app` contains another chart or depends on another chart: stock cdk8s then numbers every file
 * (`0000-<chart>.k8s.yaml`) in dependency order, so charts can only be written all together (`writeChartsEach`).
 */
export function hasChartDependencies(app: App): boolean {
  for (const c of app.node.findAll()) {
    if (Chart.isChart(c) && c.node.children.some(x => Chart.isChart(x))) return true;
    if (c.node.dependencies.length > 0) {
      const chart = Chart.of(c);
      if (c.node.dependencies.some(d => Chart.of(d) !== chart)) return true;
    }
  }
  return false;
}

function writeFile(c: SynthesizedChart, outdir: string): WrittenChart {
  const yaml = stringifyDocuments(c.documents);
  fs.writeFileSync(path.join(outdir, c.fileName), yaml, { encoding: 'utf8' });
  return { ...c, yaml };
}

/** Validate and order once, then render chart after chart in `App.synth()` order. */
function eachChart(app: App, visit: (chart: SynthesizedChart) => void, include: (chart: Chart) => boolean = () => true): void {
  const all = app.node.findAll();
  validate(all);
  const hasDependantCharts = resolveDependencies(all);
  const charts = chartOrder(app, all);
  let index = 0;
  for (const chart of charts) {
    const base = Names.toDnsLabel(chart);
    const fileName = `${hasDependantCharts ? `${(index++).toString().padStart(4, '0')}-` : ''}${base}${app.outputFileExtension}`;
    if (include(chart)) visit(render(chart, fileName));
  }
}

/** A chart's documents in dependency order; a tenant chart's after its last pass (suspension, quota check). */
function render(chart: Chart, fileName: string): SynthesizedChart {
  const documents = topology(chart, chart.node.findAll())
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
    .map(o => o.toJson());
  return { chart, fileName, documents: TenantChart.isTenantChart(chart) ? finishTenantDocuments(chart, documents) : documents };
}

/**
 * cdk8s's `new DependencyGraph(scope.node).topology()`, where `all` is `scope.node.findAll()`. Without any dependency
 * below `scope` the graph's topology is its vertices in insertion order, which is `all`'s order unless a path is an
 * array index (the graph keeps its vertices in an object keyed by path, which lists such keys first): then, and when
 * there are dependencies, the graph is built. Building it for every chart was a tenth of writing the manifests.
 */
export function topology(scope: IConstruct, all: IConstruct[]): IConstruct[] {
  const plain = all.every(c => c.node.dependencies.length === 0 && !ARRAY_INDEX.test(c.node.path));
  return plain ? all : new DependencyGraph(scope.node).topology();
}

/**
 * The charts of `app` in the order of cdk8s's `new DependencyGraph(app.node).topology()`, where `all` is
 * `app.node.findAll()`. When no chart depends on anything and nothing depends on a chart, each chart is a lone root
 * of the graph and comes in insertion order, which is `all`'s (unless a chart's path is an array index): the graph
 * over every construct of the app is not built then. Dependencies inside a chart do not change the charts' order.
 */
export function chartOrder(app: App, all: IConstruct[]): Chart[] {
  const charts = all.filter((c): c is Chart => Chart.isChart(c));
  const plain = charts.every(c => c.node.dependencies.length === 0 && !ARRAY_INDEX.test(c.node.path))
    && all.every(n => n.node.dependencies.every(d => !Chart.isChart(d)));
  return plain ? charts : new DependencyGraph(app.node).topology().filter((c): c is Chart => Chart.isChart(c));
}

/** A canonical array index (`0`, `17`): such object keys are enumerated first, in numeric order. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;

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

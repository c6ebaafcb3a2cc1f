/**
 * A small harness around `promtool check rules` and `promtool test rules`.
 *
 * Each alert case gives input series that make the alert FIRE (with the exact expected alerts) and input series
 * that keep it SILENT. Expected labels are the series labels plus the rule's static labels; expected annotations
 * are the rule's annotation templates rendered with the series labels, so a template that references a label the
 * expression does not produce is caught.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import type { ObservabilityRule, ObservabilityRuleGroup } from '../../../src/k8s/observability-stack';

export const PROMTOOL_MISSING = 'promtool is not on PATH: install Debian\'s `prometheus` package (`apt-get install prometheus`, which provides /usr/bin/promtool); CI installs it. These tests never skip.';

/** Result of one promtool run. */
export interface PromtoolResult {
  readonly status: number;
  readonly output: string;
}

/** Run promtool; throws (fails the test) if it is not installed. */
export function promtool(args: string[], cwd: string): PromtoolResult {
  const run = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 110_000 });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(PROMTOOL_MISSING);
  }
  if (run.error) throw run.error;
  return { status: run.status ?? -1, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}

/** A fresh directory under TMPDIR. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** One input series: labels (with `__name__`) and a promtool value expression such as `0x30` or `0+60x120`. */
export interface Series {
  readonly metric: string;
  readonly labels: { [key: string]: string };
  readonly values: string;
}

export function series(metric: string, labels: { [key: string]: string }, values: string): Series {
  return { metric, labels, values };
}

/** An alert that must fire: the labels of the series the expression returns (before the rule's labels). */
export interface Firing {
  readonly labels: { [key: string]: string };
}

/** A fire/silent case for one alert. */
export interface AlertCase {
  readonly alert: string;
  /** Input series under which the alert fires with exactly `expected`. */
  readonly failing: Series[];
  readonly expected: Firing[];
  /** Evaluation time of the failing case (after any `for`). */
  readonly fireAt: string;
  /** Input series under which the alert stays silent. */
  readonly healthy: Series[];
  /**
   * Evaluation time of the healthy case.
   * @default fireAt
   */
  readonly silentAt?: string;
  /**
   * Sample interval of the input series.
   * @default '1m'
   */
  readonly interval?: string;
  /**
   * Rule evaluation interval of the simulation; coarser for long `for` periods (promtool evaluates every rule at
   * every step from 0 to the evaluation time). Evaluation times must be multiples of it.
   * @default '1m'
   */
  readonly evaluationInterval?: string;
}

function seriesText(s: Series): string {
  const labels = Object.keys(s.labels).sort().map(k => `${k}=${JSON.stringify(s.labels[k])}`).join(', ');
  return `${s.metric}{${labels}}`;
}

/** Render `{{ $labels.x }}` as Prometheus would for an alert whose expression returned `labels`. */
export function renderTemplate(template: string, labels: { [key: string]: string }, where: string): string {
  const rendered = template.replace(/\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_m, name: string) => {
    if (!(name in labels)) throw new Error(`${where}: template references $labels.${name}, which the expression does not return (labels: ${Object.keys(labels).join(', ')})`);
    return labels[name];
  });
  if (rendered.includes('{{')) throw new Error(`${where}: template uses more than {{ $labels.x }}; extend the harness renderer: ${template}`);
  return rendered;
}

/** Every alerting rule of the given groups, by name (names are unique in this library's output). */
export function alertsByName(groups: ObservabilityRuleGroup[]): Map<string, ObservabilityRule> {
  const out = new Map<string, ObservabilityRule>();
  for (const g of groups) {
    for (const r of g.rules) {
      if (r.alert === undefined) continue;
      if (out.has(r.alert)) throw new Error(`alert ${r.alert} is defined twice`);
      out.set(r.alert, r);
    }
  }
  return out;
}

/** The promtool test groups of a case: one that must fire, one that must stay silent. */
export function testGroups(c: AlertCase, rules: Map<string, ObservabilityRule>): object[] {
  const rule = rules.get(c.alert);
  if (!rule) throw new Error(`no alert named ${c.alert} in the rule file`);
  const expAlerts = c.expected.map(f => ({
    exp_labels: { ...f.labels, ...rule.labels },
    exp_annotations: Object.fromEntries(Object.entries(rule.annotations ?? {})
      .map(([k, v]) => [k, renderTemplate(v, f.labels, `${c.alert}.annotations.${k}`)])),
  }));
  const input = (list: Series[]) => list.map(s => ({ series: seriesText(s), values: s.values }));
  return [
    {
      name: `${c.alert} fires`,
      interval: c.interval ?? '1m',
      input_series: input(c.failing),
      alert_rule_test: [{ eval_time: c.fireAt, alertname: c.alert, exp_alerts: expAlerts }],
    },
    {
      name: `${c.alert} stays silent`,
      interval: c.interval ?? '1m',
      input_series: input(c.healthy),
      alert_rule_test: [{ eval_time: c.silentAt ?? c.fireAt, alertname: c.alert, exp_alerts: [] }],
    },
  ];
}

/** Write a promtool unit-test file for the given rule files and test groups; returns its path. */
export function writeTestFile(dir: string, name: string, ruleFiles: string[], tests: object[], evaluationInterval: string = '1m', groupEvalOrder: string[] = []): string {
  const file = path.join(dir, name);
  const doc: { [key: string]: unknown } = { rule_files: ruleFiles, evaluation_interval: evaluationInterval };
  if (groupEvalOrder.length > 0) doc.group_eval_order = groupEvalOrder;
  doc.tests = tests;
  fs.writeFileSync(file, YAML.stringify(doc, { lineWidth: 0 }));
  return file;
}

/**
 * Recording groups (the tenant inventory, the expiry) before the alert groups that read them. Prometheus evaluates
 * groups independently; with an evaluation interval below the 5 m lookback the order does not matter, but promtool
 * picks a random order per step, and a coarse simulation step (needed for `for: 192h`) would then see stale
 * inventory samples half of the time.
 */
export function recordingGroupsFirst(groups: ObservabilityRuleGroup[]): string[] {
  // Every group is listed: promtool gives unlisted groups position 0, i.e. before all but the first listed one.
  const recording = (g: ObservabilityRuleGroup) => g.rules.every(r => r.record !== undefined);
  return [...groups.filter(recording), ...groups.filter(g => !recording(g))].map(g => g.name);
}

/** Write one test file per evaluation interval; returns the file names (relative to `dir`). */
export function writeCaseFiles(dir: string, prefix: string, ruleFiles: string[], cases: AlertCase[], groups: ObservabilityRuleGroup[]): string[] {
  const rules = alertsByName(groups);
  const byInterval = new Map<string, AlertCase[]>();
  for (const c of cases) {
    const key = c.evaluationInterval ?? '1m';
    byInterval.set(key, [...(byInterval.get(key) ?? []), c]);
  }
  return [...byInterval.entries()].map(([interval, list]) => {
    const name = `${prefix}-every-${interval}.yaml`;
    writeTestFile(dir, name, ruleFiles, list.flatMap(c => testGroups(c, rules)), interval, recordingGroupsFirst(groups));
    return name;
  });
}

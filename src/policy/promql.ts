/**
 * The metric names a PromQL expression selects, read with Prometheus' own grammar (`@prometheus-io/lezer-promql`,
 * the parser of the Prometheus web UI), so functions, label names, `by`/`on` groupings, strings and durations are
 * never mistaken for metrics.
 */
import type { LRParser } from '@lezer/lr';

// The package's typings are ESM-only ("type": "module"), but it ships a CommonJS build (exports.require:
// dist/index.cjs), which is what this CommonJS library loads; only the type comes from the ESM typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: LRParser };

/** The metric names of an expression's selectors (sorted, unique) and whether it parsed. */
export interface PromqlMetrics {
  readonly metrics: string[];
  /** Offsets of parse errors (empty when the expression parsed). */
  readonly errors: number[];
}

/** Metric names of every vector and matrix selector: `name{...}` and `{__name__="name"}`. */
export function promqlMetrics(expr: string): PromqlMetrics {
  const text = String(expr ?? '');
  const metrics = new Set<string>();
  const errors: number[] = [];
  const cursor = parser.parse(text).cursor();
  do {
    const node = cursor.node;
    if (node.type.isError) errors.push(node.from);
    if (node.name === 'Identifier' && node.parent?.name === 'VectorSelector') metrics.add(text.slice(node.from, node.to));
    if (node.name === 'UnquotedLabelMatcher' || node.name === 'QuotedLabelMatcher') {
      const label = node.getChild('LabelName') ?? node.getChild('QuotedLabelName');
      const op = node.getChild('MatchOp');
      const value = node.getChild('StringLiteral');
      if (label && op && value && text.slice(label.from, label.to).replace(/"/g, '') === '__name__' && text.slice(op.from, op.to) === '=') {
        metrics.add(JSON.parse(text.slice(value.from, value.to).replace(/^'|'$/g, '"')));
      }
    }
  } while (cursor.next());
  return { metrics: [...metrics].sort(), errors };
}

/**
 * Collecting validation problems so that one error lists every mistake at once.
 *
 * Each problem renders as `<path>: <field> <problem> (got <value>); <fix>` (STYLE.md).
 * Nothing here is exported from the package index: users see the message, not the type.
 */
import { detectSecrets } from './secret-detector';

/** Render a value for an error message: JSON for strings, bounded in length. */
export function show(value: unknown): string {
  let text: string;
  if (value === undefined) {
    text = 'undefined';
  } else if (typeof value === 'string') {
    text = JSON.stringify(value);
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as any).toString === 'function' && (value as any).toString !== Object.prototype.toString) {
    text = String(value);
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  // No error message ever prints a secret: a value the detector flags is shown by its rule only.
  const found = detectSecrets(text);
  if (found.length > 0) return `<redacted: ${[...new Set(found.map(f => f.ruleId))].join(', ')}>`;
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** One problem with user input. */
export interface Problem {
  readonly path: string;
  readonly field: string;
  readonly problem: string;
  readonly got: unknown;
  readonly fix: string;
}

export function formatProblem(p: Problem): string {
  return `${p.path}: ${p.field} ${p.problem} (got ${show(p.got)}); ${p.fix}`;
}

/** The one error type thrown for bad input. Its message lists every problem, one per line. */
export class LifecycleValidationError extends Error {
  public declare readonly problems: string[];
  constructor(problems: string[]) {
    const header = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`${header}:\n${problems.map(p => `  - ${p}`).join('\n')}`);
    this.name = 'LifecycleValidationError';
    // Not enumerable: Node prints an uncaught error as its stack (which holds the message) followed by its enumerable
    // properties, so an enumerable list would print every problem a second time.
    Object.defineProperty(this, 'problems', { value: problems, enumerable: false, writable: false });
  }
}

/** A collector: `add` everything wrong, then `throwIfAny()` once. */
export class Problems {
  private readonly lines: string[] = [];

  constructor(private readonly path: string) {}

  public add(field: string, problem: string, got: unknown, fix: string): this {
    this.lines.push(formatProblem({ path: this.path, field, problem, got, fix }));
    return this;
  }

  /** Run a check that may throw a LifecycleValidationError and keep its problems. */
  public capture<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof LifecycleValidationError) {
        this.lines.push(...e.problems);
        return undefined;
      }
      throw e;
    }
  }

  public addAll(lines: readonly string[]): this {
    this.lines.push(...lines);
    return this;
  }

  public get isEmpty(): boolean {
    return this.lines.length === 0;
  }

  public get all(): readonly string[] {
    return this.lines;
  }

  public throwIfAny(): void {
    if (this.lines.length > 0) {
      throw new LifecycleValidationError([...this.lines]);
    }
  }
}

/** Throw a single-problem error right away (factories such as `Period.parse`). */
export function fail(path: string, field: string, problem: string, got: unknown, fix: string): never {
  throw new LifecycleValidationError([formatProblem({ path, field, problem, got, fix })]);
}

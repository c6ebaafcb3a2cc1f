import { LifecycleValidationError } from '../../src/model/problems';

/** Run `fn` and return the problem lines of the LifecycleValidationError it throws; fail if it throws nothing. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof LifecycleValidationError) return e.problems;
    throw e;
  }
  throw new Error('expected a LifecycleValidationError');
}

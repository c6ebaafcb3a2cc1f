/**
 * Evaluation of an S3 (MinIO) identity policy for one request, as AWS IAM and MinIO evaluate it: an explicit Deny
 * wins, otherwise some Allow statement must match the action, the resource and every condition; nothing matches by
 * default. Covers what the library's policies use (Action/NotAction with `*` and `?` wildcards, Resource, and the
 * StringLike/StringEquals conditions on `s3:prefix`); anything else in a policy throws, so a policy the evaluator
 * cannot judge fails the test instead of passing it.
 *
 * Written here because the maintained simulator (@cloud-copilot/iam-simulate) is AGPL-3.0, which this project does
 * not take on even as a development dependency; its evaluation order is the one documented by AWS ("Policy
 * evaluation logic") and MinIO ("Policy Based Access Control").
 */

/** One request. */
export interface S3Request {
  /** e.g. `s3:GetObject`. */
  readonly action: string;
  /** e.g. `arn:aws:s3:::bucket/key`. */
  readonly resource: string;
  /** The `s3:prefix` of a ListBucket request, if any. */
  readonly prefix?: string;
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** IAM wildcard match: `*` any run of characters, `?` one character; case-sensitive (actions are compared lower-cased). */
function like(pattern: string, value: string): boolean {
  const re = pattern.split('').map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${re}$`, 's').test(value);
}

function conditionsHold(condition: any, request: S3Request): boolean {
  for (const [operator, keys] of Object.entries<any>(condition ?? {})) {
    for (const [key, values] of Object.entries<any>(keys)) {
      if (key !== 's3:prefix') throw new Error(`s3-policy: condition key ${key} is not supported`);
      const value = request.prefix;
      if (value === undefined) return false; // a missing key never satisfies a String* condition
      if (operator === 'StringLike') {
        if (!list(values).some(p => like(p, value))) return false;
      } else if (operator === 'StringEquals') {
        if (!list(values).includes(value)) return false;
      } else {
        throw new Error(`s3-policy: condition operator ${operator} is not supported`);
      }
    }
  }
  return true;
}

function statementMatches(s: any, request: S3Request): boolean {
  const known = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'Condition']);
  for (const k of Object.keys(s)) if (!known.has(k)) throw new Error(`s3-policy: statement element ${k} is not supported`);
  const action = request.action.toLowerCase();
  const actionMatches = s.Action !== undefined
    ? list(s.Action).some(a => like(a.toLowerCase(), action))
    : !list(s.NotAction).some(a => like(a.toLowerCase(), action));
  return actionMatches && list(s.Resource).some(r => like(r, request.resource)) && conditionsHold(s.Condition, request);
}

/** Whether the policy allows the request. */
export function evaluateS3Policy(policy: any, request: S3Request): boolean {
  const statements = list(policy?.Statement).length ? (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) : [];
  const matching = statements.filter((s: any) => statementMatches(s, request));
  if (matching.some((s: any) => s.Effect === 'Deny')) return false;
  return matching.some((s: any) => s.Effect === 'Allow');
}

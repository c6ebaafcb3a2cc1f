import { fail } from './problems';

const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };
const PERIOD_PATTERN = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * A span of time with whole-second precision: TTLs, retention, token lifetimes.
 *
 * Framework-free (the model layer imports no cdk8s/cdktf); convert with `toSeconds()` and friends.
 */
export class Period {
  /** A period of whole seconds. */
  public static seconds(amount: number): Period {
    return new Period(checkAmount(amount, 's'), `${amount}s`);
  }

  /** A period of whole minutes. */
  public static minutes(amount: number): Period {
    return new Period(checkAmount(amount, 'm') * 60, `${amount}m`);
  }

  /** A period of whole hours. */
  public static hours(amount: number): Period {
    return new Period(checkAmount(amount, 'h') * 3_600, `${amount}h`);
  }

  /** A period of whole days (24 h each). */
  public static days(amount: number): Period {
    return new Period(checkAmount(amount, 'd') * 86_400, `${amount}d`);
  }

  /**
   * Parse a strict duration: one or more of `<n>d`, `<n>h`, `<n>m`, `<n>s`, in that order, integers only
   * (`72h`, `1d12h`, `90m`). Rejects empty strings, signs, fractions, spaces and unknown units.
   */
  public static parse(text: string): Period {
    const match = typeof text === 'string' ? PERIOD_PATTERN.exec(text) : null;
    if (!match || text.length === 0) {
      fail('Period.parse', 'duration', 'is not a strict duration', text, 'write whole numbers with units d, h, m, s in that order, e.g. "72h" or "1d12h"');
    }
    let seconds = 0;
    ['d', 'h', 'm', 's'].forEach((unit, i) => {
      if (match[i + 1] !== undefined) seconds += Number(match[i + 1]) * UNIT_SECONDS[unit];
    });
    return new Period(seconds, text);
  }

  private constructor(private readonly totalSeconds: number, private readonly text: string) {}

  /** Whole seconds. */
  public toSeconds(): number {
    return this.totalSeconds;
  }

  /** Hours (may be fractional). */
  public toHours(): number {
    return this.totalSeconds / 3_600;
  }

  /** Days (may be fractional). */
  public toDays(): number {
    return this.totalSeconds / 86_400;
  }

  /** A Go/Vault/Terraform duration string with no day unit, e.g. `72h`, `90m`, `45s`. */
  public toGoDuration(): string {
    const s = this.totalSeconds;
    if (s % 3_600 === 0) return `${s / 3_600}h`;
    if (s % 60 === 0) return `${s / 60}m`;
    return `${s}s`;
  }

  /** True if this period is strictly longer than `other`. */
  public isLongerThan(other: Period): boolean {
    return this.totalSeconds > other.totalSeconds;
  }

  /** The text it was written as (`72h`, `30d`). */
  public toString(): string {
    return this.text;
  }
}

function checkAmount(amount: number, unit: string): number {
  if (!Number.isInteger(amount) || amount < 0) {
    fail('Period', 'amount', 'must be a whole, non-negative number', amount, `use an integer number of ${unit === 'd' ? 'days' : unit === 'h' ? 'hours' : unit === 'm' ? 'minutes' : 'seconds'}`);
  }
  return amount;
}

/** Add a period to an ISO-8601 UTC instant and return the ISO string (second precision, `Z`). */
export function addPeriod(isoInstant: string, period: Period): string {
  const at = Date.parse(isoInstant);
  return new Date(at + period.toSeconds() * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

/** Is this a valid ISO-8601 UTC instant such as `2026-11-28T09:00:00Z`? */
export function isIsoInstant(text: unknown): boolean {
  return typeof text === 'string' && ISO_UTC.test(text) && !Number.isNaN(Date.parse(text));
}

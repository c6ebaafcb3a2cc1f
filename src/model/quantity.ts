import { fail } from './problems';

// The Kubernetes quantity grammar (k8s.io/apimachinery/pkg/api/resource), without signs: quotas are never negative.
const QUANTITY_PATTERN = /^(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const SUFFIX: Record<string, number> = {
  'n': 1e-9,
  'u': 1e-6,
  'm': 1e-3,
  '': 1,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 2 ** 10,
  'Mi': 2 ** 20,
  'Gi': 2 ** 30,
  'Ti': 2 ** 40,
  'Pi': 2 ** 50,
  'Ei': 2 ** 60,
};

/** What a quantity measures: decides which suffixes make sense. */
export enum QuantityKind {
  /** CPU cores: `500m`, `2`. */
  CPU = 'cpu',
  /** Bytes of memory or storage: `512Mi`, `10Gi`. Milli-bytes (`512m`) are refused. */
  BYTES = 'bytes',
  /** A plain count of objects. */
  COUNT = 'count',
}

/** A Kubernetes resource quantity, parsed strictly and comparable. */
export class Quantity {
  /** Parse a quantity as Kubernetes does, then apply the rules for its kind (B09). */
  public static parse(text: string, kind: QuantityKind): Quantity {
    const problem = checkQuantity(text, kind);
    if (problem) {
      fail('Quantity.parse', kind, problem.problem, text, problem.fix);
    }
    return new Quantity(text, kind);
  }

  /** CPU in millicores, e.g. `Quantity.millicores(250)` is `250m`. */
  public static millicores(amount: number): Quantity {
    return Quantity.parse(`${amount}m`, QuantityKind.CPU);
  }

  /** Bytes in mebibytes, e.g. `Quantity.mebibytes(512)` is `512Mi`. */
  public static mebibytes(amount: number): Quantity {
    return Quantity.parse(`${amount}Mi`, QuantityKind.BYTES);
  }

  /** Bytes in gibibytes, e.g. `Quantity.gibibytes(10)` is `10Gi`. */
  public static gibibytes(amount: number): Quantity {
    return Quantity.parse(`${amount}Gi`, QuantityKind.BYTES);
  }

  private constructor(private readonly text: string, public readonly kind: QuantityKind) {}

  /** The value in base units (cores or bytes). */
  public toNumber(): number {
    return toNumber(this.text);
  }

  /** True if this quantity is larger than `other`. */
  public isGreaterThan(other: Quantity): boolean {
    return this.toNumber() > other.toNumber() * (1 + 1e-12);
  }

  /** The quantity as written. */
  public toString(): string {
    return this.text;
  }
}

/** Why `text` is not a valid quantity of `kind`, or undefined if it is. */
export function checkQuantity(text: unknown, kind: QuantityKind): { problem: string; fix: string } | undefined {
  if (typeof text !== 'string' || !QUANTITY_PATTERN.test(text)) {
    return { problem: 'is not a Kubernetes quantity', fix: 'use a number with an optional suffix such as 500m, 2, 512Mi or 10Gi (not "16GB")' };
  }
  const value = toNumber(text);
  if (!(value > 0)) {
    return { problem: 'must be greater than zero', fix: 'use a positive amount' };
  }
  const suffix = QUANTITY_PATTERN.exec(text)![2] ?? '';
  if (kind === QuantityKind.BYTES && (suffix === 'm' || suffix === 'u' || suffix === 'n')) {
    return { problem: `uses the milli/micro/nano suffix "${suffix}" for bytes`, fix: `write ${text.replace(/[mun]$/, 'Mi')} for mebibytes` };
  }
  if (kind === QuantityKind.BYTES && !Number.isInteger(value)) {
    return { problem: 'is a fraction of a byte', fix: 'use a binary suffix such as Mi or Gi' };
  }
  if (kind === QuantityKind.CPU && value < 0.001) {
    return { problem: 'is below one millicore', fix: 'use at least 1m' };
  }
  if (kind === QuantityKind.COUNT && (!Number.isInteger(value) || suffix !== '')) {
    return { problem: 'is not a whole count', fix: 'use a plain integer' };
  }
  return undefined;
}


function toNumber(text: string): number {
  const m = QUANTITY_PATTERN.exec(text);
  if (!m) return NaN;
  const suffix = m[2] ?? '';
  if (/^[eE]/.test(suffix)) return Number(m[1] + suffix);
  return Number(m[1]) * SUFFIX[suffix];
}

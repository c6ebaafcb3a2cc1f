/**
 * Strict validation of Kubernetes CronJob schedules (B05): five fields or a standard descriptor,
 * valid ranges, no `TZ=`/`CRON_TZ=` prefix (use `timeZone`), no seconds field, and no schedule that
 * can never fire (such as `0 0 31 2 *`).
 */

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: string[];
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 7, names: DAYS },
];

/** Why `schedule` is not an acceptable CronJob schedule, or undefined if it is. */
export function cronProblem(schedule: unknown): string | undefined {
  if (typeof schedule !== 'string' || schedule.trim() === '') return 'is empty';
  const text = schedule.trim();
  if (/^(CRON_)?TZ=/.test(text)) return 'sets a time zone inline (TZ=/CRON_TZ=), which Kubernetes rejects; use the timeZone field';
  if (text.startsWith('@')) return DESCRIPTORS.has(text) ? undefined : `uses an unknown descriptor ${text}`;
  const parts = text.split(/\s+/);
  if (parts.length === 6) return 'has six fields; Kubernetes cron has no seconds field';
  if (parts.length !== 5) return `has ${parts.length} fields instead of 5`;
  const sets: Set<number>[] = [];
  for (let i = 0; i < 5; i++) {
    const values = expandField(parts[i], FIELDS[i]);
    if (typeof values === 'string') return `${FIELDS[i].name} field ${values}`;
    sets.push(values);
  }
  // A day-of-month restriction with an unrestricted day-of-week must hit a real date in some chosen month.
  const domRestricted = parts[2] !== '*' && parts[2] !== '?';
  const dowRestricted = parts[4] !== '*' && parts[4] !== '?';
  if (domRestricted && !dowRestricted) {
    const possible = [...sets[3]].some(month => [...sets[2]].some(day => day <= DAYS_IN_MONTH[month - 1]));
    if (!possible) return 'never fires: no chosen month has the chosen day of month';
  }
  return undefined;
}

function expandField(field: string, spec: FieldSpec): Set<number> | string {
  const out = new Set<number>();
  for (const item of field.split(',')) {
    const m = /^(\*|\?|[0-9a-z]+(?:-[0-9a-z]+)?)(?:\/(\d+))?$/i.exec(item);
    if (!m) return `has an invalid item "${item}"`;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) return `has a zero step in "${item}"`;
    let lo = spec.min;
    let hi = spec.max;
    if (m[1] !== '*' && m[1] !== '?') {
      const [a, b] = m[1].split('-');
      const from = value(a, spec);
      if (from === undefined) return `has "${a}" outside ${spec.min}-${spec.max}`;
      const to = b === undefined ? (m[2] === undefined ? from : spec.max) : value(b, spec);
      if (to === undefined) return `has "${b}" outside ${spec.min}-${spec.max}`;
      if (to < from) return `has a reversed range "${m[1]}"`;
      lo = from;
      hi = to;
    }
    for (let v = lo; v <= hi; v += step) out.add(spec.name === 'day-of-week' && v === 7 ? 0 : v);
  }
  return out;
}

function value(token: string, spec: FieldSpec): number | undefined {
  let n: number;
  if (/^\d+$/.test(token)) {
    n = Number(token);
  } else if (spec.names) {
    const idx = spec.names.indexOf(token.toLowerCase());
    if (idx < 0) return undefined;
    n = spec.name === 'month' ? idx + 1 : idx;
  } else {
    return undefined;
  }
  return n >= spec.min && n <= spec.max ? n : undefined;
}

const IANA_ZONE = /^(?:UTC|Etc\/[A-Za-z0-9+-]+|[A-Z][A-Za-z_-]+(?:\/[A-Za-z0-9_+-]+){1,2})$/;

/** Is `zone` a plausible IANA time zone name such as `Etc/UTC` or `Europe/Berlin`? */
export function isTimeZone(zone: unknown): boolean {
  if (typeof zone !== 'string' || !IANA_ZONE.test(zone)) return false;
  // Building a DateTimeFormat costs about a quarter of a millisecond; every tenant's backup policy asks again.
  let known = KNOWN_ZONES.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    KNOWN_ZONES.set(zone, known);
  }
  return known;
}
const KNOWN_ZONES = new Map<string, boolean>();

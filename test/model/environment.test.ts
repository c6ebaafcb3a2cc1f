import * as fc from 'fast-check';
import { BackupPolicy } from '../../src/model/backup-policy';
import { cronProblem } from '../../src/model/cron';
import { Environment } from '../../src/model/environment';
import { AccessLevel, EnvironmentClass, LifecycleKind, Mutability } from '../../src/model/environment-class';
import { Period } from '../../src/model/period';
import { QuotaProfile } from '../../src/model/quota-profile';
import { Tenant, TenantState } from '../../src/model/tenant';
import { problemsOf } from '../support/problems';

describe('EnvironmentClass (spec §2)', () => {
  test('the four classes carry the spec\'s lifecycle, owners and defaults', () => {
    expect(EnvironmentClass.DEVELOPMENT.lifecycle).toBe(LifecycleKind.REUSABLE);
    expect(EnvironmentClass.DEVELOPMENT.defaultTtl?.toHours()).toBe(24);
    expect(EnvironmentClass.DEVELOPMENT.owner).toBe('Developer');
    expect(EnvironmentClass.DEVELOPMENT.humanAccess).toBe(AccessLevel.ADMIN);
    expect(EnvironmentClass.STAGING.lifecycle).toBe(LifecycleKind.PERSISTENT);
    expect(EnvironmentClass.STAGING.owner).toBe('QA Team');
    expect(EnvironmentClass.PRODUCTION.lifecycle).toBe(LifecycleKind.PERMANENT);
    expect(EnvironmentClass.PRODUCTION.owner).toBe('Ops Team');
    expect(EnvironmentClass.PRODUCTION.mutability).toBe(Mutability.GITOPS_ONLY);
    expect(EnvironmentClass.PRODUCTION.decommissionApprovals).toBe(2);
    expect(EnvironmentClass.PRODUCTION.backup.localRetentionDays).toBe(30);
    expect(EnvironmentClass.PRODUCTION.backup.offsiteRetentionDays).toBe(90);
    expect(EnvironmentClass.PRODUCTION.auditRetentionDays).toBe(90);
    expect(EnvironmentClass.PREVIEW.lifecycle).toBe(LifecycleKind.EPHEMERAL);
    expect(EnvironmentClass.PREVIEW.owner).toBe('DevOps');
    const preview = EnvironmentClass.PREVIEW;
    expect([preview.minTtl?.toHours(), preview.defaultTtl?.toHours(), preview.maxTtl?.toHours()]).toEqual([24, 48, 72]);
    expect(EnvironmentClass.PREVIEW.backup.enabled).toBe(false);
    expect(EnvironmentClass.STAGING.backup.enabled).toBe(true);
  });

  test('fails if a permanent class lacks backups, offsite copy, approvals or immutability (B11), listing every problem', () => {
    const problems = problemsOf(() => EnvironmentClass.custom({
      name: 'prod-lite',
      lifecycle: LifecycleKind.PERMANENT,
      owner: 'Ops',
      decommissionApprovals: 1,
      backup: BackupPolicy.daily({ offsite: false, keepLast: 1 }),
      humanAccess: AccessLevel.ADMIN,
    }));
    expect(problems).toEqual([
      'EnvironmentClass[prod-lite]: decommissionApprovals is below 2 for a permanent class (got 1); permanent environments need a two-step approval (spec §8): use 2',
      'EnvironmentClass[prod-lite]: backup.offsite is false for a permanent class (got false); keep the offsite copy (spec §10: 90 days offsite)',
      'EnvironmentClass[prod-lite]: backup.keepLast is below 2 for a permanent class (got 1); keep at least the two newest verified backups',
      'EnvironmentClass[prod-lite]: mutability is not GITOPS_ONLY for a permanent class (got "mutable"); production is immutable (spec §1): use Mutability.GITOPS_ONLY',
      'EnvironmentClass[prod-lite]: humanAccess is ADMIN for a permanent class (got "admin"); humans read production; changes go through GitOps/Terraform: use AccessLevel.READ_ONLY',
    ]);
  });

  test('fails if an ephemeral class has no TTL or inverted bounds, or a persistent class has one (B04)', () => {
    expect(problemsOf(() => EnvironmentClass.custom({ name: 'pr', lifecycle: LifecycleKind.EPHEMERAL, owner: 'DevOps' })))
      .toEqual(['EnvironmentClass[pr]: defaultTtl is required for a ephemeral class (got undefined); set e.g. Period.hours(48)']);
    expect(problemsOf(() => EnvironmentClass.custom({
      name: 'pr', lifecycle: LifecycleKind.EPHEMERAL, owner: 'DevOps', defaultTtl: Period.hours(48), minTtl: Period.hours(72), maxTtl: Period.hours(24),
    }))).toHaveLength(2);
    expect(problemsOf(() => EnvironmentClass.custom({ name: 'qa', lifecycle: LifecycleKind.PERSISTENT, owner: 'QA', defaultTtl: Period.hours(24) })))
      .toEqual(['EnvironmentClass[qa]: defaultTtl is set on a persistent class (got "24h"); remove it: only reusable and ephemeral classes expire']);
  });

  test('fails if Vault token ttl exceeds max_ttl (B04) or audit retention is below 90 days', () => {
    const problems = problemsOf(() => EnvironmentClass.custom({
      name: 'x', lifecycle: LifecycleKind.PERSISTENT, owner: 'QA', vaultTokenTtl: Period.hours(5), vaultTokenMaxTtl: Period.hours(4), auditRetentionDays: 30,
    }));
    expect(problems.join('\n')).toMatch(/auditRetentionDays is below 90 \(got 30\)/);
    expect(problems.join('\n')).toMatch(/vaultTokenTtl is longer than vaultTokenMaxTtl 4h \(got "5h"\); make ttl ≤ max_ttl \(B04\)/);
  });
});

describe('Environment', () => {
  const created = '2026-11-28T09:00:00Z';

  test('a preview computes its expiry from the explicit creation time and names itself from the branch', () => {
    const env = Environment.preview({ branch: 'feature/JIRA-123_Add Billing!!', createdAt: created, owner: 'dana' });
    expect(env.name).toMatch(/^preview-feature-jira-123-add-b[a-z-]*-[0-9a-f]{6}$/);
    expect(env.workspace).toBe(`inopsio-${env.name}`);
    expect(env.expiresAt).toBe('2026-11-30T09:00:00Z');
    expect(env.ttl?.toHours()).toBe(48);
    expect(env.isPreview).toBe(true);
  });

  test('fails if a preview has no owner, no branch, no creation time, or a TTL outside 24–72 h (B04, B12)', () => {
    const problems = problemsOf(() => new Environment({
      name: 'preview-x', environmentClass: EnvironmentClass.PREVIEW, ttl: Period.hours(96),
    }));
    expect(problems).toEqual([
      'preview-x: createdAt is required for a ephemeral environment (got undefined); pass the creation time explicitly (the expiry is computed from it, never from the clock)',
      'preview-x: ttl is longer than the class hard cap 72h (got "96h"); use a TTL between 24h and 72h, or a custom class with a higher cap',
      'preview-x: sourceBranch is required for an ephemeral environment (got undefined); pass the git branch the preview is built from',
      'preview-x: owner is required for an ephemeral environment (got undefined); name the person or team who asked for the preview',
    ]);
  });

  test('the "preview-" name prefix is reserved for previews, and a preview must carry it (its Vault names follow the name)', () => {
    expect(problemsOf(() => new Environment({ name: 'preview-dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z' })))
      .toEqual(['preview-dev: name starts with "preview-" for a reusable environment (got "preview-dev"); the "preview-" prefix is reserved for previews: rename the environment']);
    expect(problemsOf(() => new Environment({
      name: 'pr-7', environmentClass: EnvironmentClass.PREVIEW, createdAt: '2026-11-28T09:00:00Z', sourceBranch: 'x', owner: 'dana',
    }))).toEqual(['pr-7: name does not start with "preview-" for an ephemeral environment (got "pr-7"); create previews with Environment.preview({...}) (named preview-<slug>)']);
  });

  test('fails if staging or production is given a TTL (B04)', () => {
    expect(problemsOf(() => new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, ttl: Period.hours(24) })))
      .toEqual(['prod: ttl is set on a permanent environment (got "24h"); remove it: only reusable and ephemeral environments expire (B04)']);
  });

  test('lists every bad tenant at once and refuses duplicates (B01, B03)', () => {
    const problems = problemsOf(() => new Environment({
      name: 'prod',
      environmentClass: EnvironmentClass.PRODUCTION,
      tenants: [{ id: 'Acme' }, { id: 'beta_co' }, { id: 'ok' }],
    }));
    expect(problems).toEqual([
      'prod/Tenant-Acme: id contains uppercase letters (got "Acme"); use a DNS-1123 label of at most 40 characters: lowercase letters, digits and "-", e.g. "acme-corp"',
      'prod/Tenant-beta_co: id contains "_" (got "beta_co"); use a DNS-1123 label of at most 40 characters: lowercase letters, digits and "-", e.g. "acme-corp"',
    ]);
    expect(problemsOf(() => new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme' }, { id: 'acme' }] })))
      .toEqual(['prod: tenants lists a tenant twice (got "acme"); remove the duplicate tenant']);
  });

  test('namespaces are <env>-<tenant>, at most 63 characters, and unique per tenant', () => {
    const env = Environment.preview({ branch: 'x'.repeat(100), createdAt: created, owner: 'dana' });
    const a = env.namespaceFor('a'.repeat(40));
    const b = env.namespaceFor('a'.repeat(39) + 'b');
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
  });

  test('property: any bad id is refused with a message naming it (B01)', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 70 }).filter(s => !/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/.test(s)), id => {
      const problems = problemsOf(() => new Tenant({ id }));
      expect(problems[0]).toContain(`Tenant-${id}: id `);
      expect(problems[0]).toContain(`(got ${JSON.stringify(id)}`);
    }), { numRuns: 300 });
  });

  test('tenant state defaults to active', () => {
    expect(new Tenant({ id: 'acme' }).state).toBe(TenantState.ACTIVE);
  });
});

describe('QuotaProfile (B09)', () => {
  const base = QuotaProfile.SMALL.props;

  test('lists every invalid quantity and order problem at once', () => {
    const problems = problemsOf(() => QuotaProfile.custom({
      ...base,
      name: 'bad',
      requestsMemory: '16GB',
      limitsMemory: '512m',
      requestsCpu: '8',
      limitsCpu: '4',
      containerDefaultMemory: '8Gi',
      containerMaxMemory: '4Gi',
    }));
    expect(problems).toEqual([
      'QuotaProfile[bad]: requestsCpu is greater than limitsCpu 4 (got "8"); lower requestsCpu or raise limitsCpu',
      'QuotaProfile[bad]: requestsMemory is not a Kubernetes quantity (got "16GB"); use a number with an optional suffix such as 500m, 2, 512Mi or 10Gi (not "16GB")',
      'QuotaProfile[bad]: limitsMemory uses the milli/micro/nano suffix "m" for bytes (got "512m"); write 512Mi for mebibytes',
      'QuotaProfile[bad]: containerDefaultMemory is greater than containerMaxMemory 4Gi (got "8Gi"); lower containerDefaultMemory or raise containerMaxMemory',
    ]);
  });

  test('the built-in profiles are valid and the suspended one allows no pods', () => {
    expect(QuotaProfile.SUSPENDED.props.pods).toBe(0);
    expect(QuotaProfile.SUSPENDED.props.jobs).toBe(0);
  });
});

describe('BackupPolicy and cron (B05, B06)', () => {
  test.each([
    ['0 0 31 2 *', 'never fires: no chosen month has the chosen day of month'],
    ['0 0 30 2 *', 'never fires: no chosen month has the chosen day of month'],
    ['TZ=UTC 0 2 * * *', 'sets a time zone inline (TZ=/CRON_TZ=), which Kubernetes rejects; use the timeZone field'],
    ['CRON_TZ=UTC 0 2 * * *', 'sets a time zone inline (TZ=/CRON_TZ=), which Kubernetes rejects; use the timeZone field'],
    ['0 0 2 * * *', 'has six fields; Kubernetes cron has no seconds field'],
    ['60 2 * * *', 'minute field has "60" outside 0-59'],
    ['0 24 * * *', 'hour field has "24" outside 0-23'],
    ['0 2 * 13 *', 'month field has "13" outside 1-12'],
    ['0 2 * * 8', 'day-of-week field has "8" outside 0-7'],
    ['@every 1h', 'uses an unknown descriptor @every 1h'],
    ['0 2 * *', 'has 4 fields instead of 5'],
    ['', 'is empty'],
  ])('refuses %j: %s', (schedule, problem) => {
    expect(cronProblem(schedule)).toBe(problem);
  });

  test.each(['15 2 * * *', '@daily', '*/5 * * * *', '0 3 29 2 *', '0 0 1-7 * 1', '0 4 * * sun', '30 1 1,15 jan-jun *'])('accepts %j', schedule => {
    expect(cronProblem(schedule)).toBeUndefined();
  });

  test('retention rules: local ≥ 1, offsite ≥ local, keep ≥ 1, integers only, all listed at once', () => {
    const problems = problemsOf(() => BackupPolicy.daily({ localRetentionDays: 0.5, offsiteRetentionDays: 0, keepLast: 0, schedule: '0 0 31 2 *', timeZone: 'Mars/Olympus' }));
    expect(problems).toEqual([
      'BackupPolicy: schedule never fires: no chosen month has the chosen day of month (got "0 0 31 2 *"); use five cron fields such as "15 2 * * *" and set timeZone separately',
      'BackupPolicy: timeZone is not an IANA time zone (got "Mars/Olympus"); use a name such as "Etc/UTC" or "Europe/Berlin" (K41)',
      'BackupPolicy: localRetentionDays must be a whole number of at least 1 (got 0.5); keep local backups for 1 day or more (default 30)',
      'BackupPolicy: offsiteRetentionDays must be a whole number not below localRetentionDays 0.5 (got 0); keep offsite copies at least as long as local ones (default 90)',
      'BackupPolicy: keepLast must be a whole number of at least 1 (got 0); always keep at least the newest verified backup (B06)',
    ]);
  });

  test('property: valid 5-field schedules built from ranges are accepted', () => {
    fc.assert(fc.property(fc.nat(59), fc.nat(23), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1, max: 12 }), (m, h, dom, mon) => {
      expect(cronProblem(`${m} ${h} ${dom} ${mon} *`)).toBeUndefined();
    }));
  });
});

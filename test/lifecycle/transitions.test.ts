import * as fc from 'fast-check';
import {
  allowedTransitions, FinalBackupReference, inactivity, TenantLifecycleState as S, TenantTransitionRequest, transitionTenant,
} from '../../src/lifecycle/transitions';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass, LifecycleKind } from '../../src/model/environment-class';

const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, tenants: [{ id: 'acme' }] });
const custom = EnvironmentClass.custom({ name: 'sandbox', lifecycle: LifecycleKind.PERSISTENT, owner: 'QA', suspendAfterInactiveDays: 30, decommissionApprovals: 0 });
const sandbox = new Environment({ name: 'sandbox', environmentClass: custom, tenants: [{ id: 'acme' }] });
const NOW = '2026-11-28T09:00:00Z';
const backup: FinalBackupReference = {
  manifest: 'inopsio-backups/prod/acme/manifests/acme-20261128T080000Z.manifest',
  takenAt: '2026-11-28T08:00:00Z',
  verified: true,
  sha256: 'a'.repeat(64),
};
const req = (over: Partial<TenantTransitionRequest>): TenantTransitionRequest => ({
  environment: prod, tenantId: 'acme', fromState: S.ACTIVE, toState: S.SUSPENDED, now: NOW, ...over,
});
const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('tenant lifecycle state machine (spec §9)', () => {
  test('the allowed graph: active → suspended → archived → removed, suspended → active; removed is final', () => {
    expect(allowedTransitions(S.ACTIVE)).toEqual([S.SUSPENDED]);
    expect(allowedTransitions(S.SUSPENDED)).toEqual([S.ACTIVE, S.ARCHIVED]);
    expect(allowedTransitions(S.ARCHIVED)).toEqual([S.REMOVED]);
    expect(allowedTransitions(S.REMOVED)).toEqual([]);
  });

  describe('active → suspended', () => {
    test('allowed once inactive for the class limit (90 days in production), exactly at the boundary', () => {
      const t = transitionTenant(req({ lastActivityAt: '2026-08-30T09:00:00Z' }));
      expect(t).toEqual({ tenantId: 'acme', environment: 'prod', fromState: S.ACTIVE, toState: S.SUSPENDED, at: NOW, reason: 'inactive for 90 days (limit 90)' });
    });

    test('refused one second early, saying when it becomes due', () => {
      expect(message(() => transitionTenant(req({ lastActivityAt: '2026-08-30T09:00:01Z' }))))
        .toBe('1 problem:\n  - TenantTransition[prod/acme]: lastActivityAt is only 89 days ago; class production suspends after 90 days of inactivity (got "2026-08-30T09:00:01Z"); wait until 2026-11-28T09:00:01Z');
    });

    test('uses the class limit (a custom class suspending after 30 days)', () => {
      expect(transitionTenant(req({ environment: sandbox, lastActivityAt: '2026-10-29T09:00:00Z' })).toState).toBe(S.SUSPENDED);
      expect(() => transitionTenant(req({ environment: sandbox, lastActivityAt: '2026-10-30T09:00:00Z' }))).toThrow(/suspends after 30 days/);
    });

    test('refused without a last-activity time, or with one in the future', () => {
      expect(() => transitionTenant(req({}))).toThrow(/lastActivityAt is required to suspend/);
      expect(() => transitionTenant(req({ lastActivityAt: '2026-12-01T00:00:00Z' }))).toThrow(/lastActivityAt is after now/);
    });

    test('property: suspension is allowed exactly when now ≥ last activity + limit', () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: 400 * 86_400 }), seconds => {
        const last = new Date(Date.parse(NOW) - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        const due = seconds >= 90 * 86_400;
        expect(inactivity(last, NOW, 90).suspendDue).toBe(due);
        let ok = true;
        try {
          transitionTenant(req({ lastActivityAt: last }));
        } catch {
          ok = false;
        }
        expect(ok).toBe(due);
      }), { numRuns: 300 });
    });
  });

  test('suspended → active resumes without conditions', () => {
    expect(transitionTenant(req({ fromState: S.SUSPENDED, toState: S.ACTIVE })).reason).toBe('resumed');
  });

  describe('suspended → archived', () => {
    test('allowed with a verified, fresh final backup of this tenant', () => {
      const t = transitionTenant(req({ fromState: S.SUSPENDED, toState: S.ARCHIVED, finalBackup: backup }));
      expect(t.reason).toBe('final backup inopsio-backups/prod/acme/manifests/acme-20261128T080000Z.manifest (sha256 aaaaaaaaaaaa…)');
    });

    test('refused without a final backup', () => {
      expect(() => transitionTenant(req({ fromState: S.SUSPENDED, toState: S.ARCHIVED }))).toThrow(/finalBackup is required to archive/);
    });

    test('refused for an unverified, stale backup of another tenant, listing every problem', () => {
      const m = message(() => transitionTenant(req({
        fromState: S.SUSPENDED,
        toState: S.ARCHIVED,
        finalBackup: { manifest: 'inopsio-backups/prod/globex/manifests/globex-20261101T000000Z.manifest', takenAt: '2026-11-01T00:00:00Z', verified: false, sha256: 'xyz' },
      })));
      expect(m).toMatch(/^4 problems:/);
      expect(m).toMatch(/finalBackup.manifest is not a backup manifest of prod\/acme/);
      expect(m).toMatch(/finalBackup.verified is not true/);
      expect(m).toMatch(/finalBackup.sha256 is not a sha256 hex digest/);
      expect(m).toMatch(/finalBackup.takenAt is 657 hours old; a final backup must be newer than 26 hours/);
    });
  });

  describe('archived → removed', () => {
    const approvals = [{ approver: 'alice', approvedAt: '2026-11-28T08:30:00Z' }, { approver: 'bob', approvedAt: '2026-11-28T08:45:00Z' }];

    test('production needs two approvals from two different people, not the requester', () => {
      expect(transitionTenant(req({ fromState: S.ARCHIVED, toState: S.REMOVED, approvals, requestedBy: 'carol' })).reason).toBe('approved by alice, bob');
      expect(message(() => transitionTenant(req({ fromState: S.ARCHIVED, toState: S.REMOVED, approvals: [approvals[0]] }))))
        .toMatch(/approvals has 1 valid approval\(s\); class production needs 2 from different people to remove a tenant .*get the two-step approval \(spec §8\)/);
      const m = message(() => transitionTenant(req({
        fromState: S.ARCHIVED,
        toState: S.REMOVED,
        requestedBy: 'Alice',
        approvals: [approvals[0], { approver: 'ALICE', approvedAt: '2026-11-28T08:50:00Z' }],
      })));
      expect(m).toMatch(/approvals\[0\].approver is the requester/);
      expect(m).toMatch(/approvals\[1\].approver approved twice/);
      expect(m).toMatch(/has 0 valid approval\(s\)/);
    });

    test('every class needs at least one manual approval to remove a tenant (spec §9), even with 0 decommission approvals', () => {
      expect(() => transitionTenant(req({ environment: sandbox, fromState: S.ARCHIVED, toState: S.REMOVED, approvals: [] }))).toThrow(/needs 1 from different people/);
      const removed = transitionTenant(req({ environment: sandbox, fromState: S.ARCHIVED, toState: S.REMOVED, approvals: [approvals[0]] }));
      expect(removed.toState).toBe(S.REMOVED);
    });

    test('approvals from the future do not count', () => {
      expect(() => transitionTenant(req({ fromState: S.ARCHIVED, toState: S.REMOVED, approvals: [approvals[0], { approver: 'bob', approvedAt: '2026-11-29T00:00:00Z' }] })))
        .toThrow(/approvals\[1\].approvedAt is not an ISO-8601 UTC instant at or before now/);
    });
  });

  describe('invalid transitions fail with a message that says what to do', () => {
    test.each([
      [S.ACTIVE, S.ARCHIVED, 'suspend the tenant first, then archive it with a final backup, then remove it with approvals'],
      [S.ACTIVE, S.REMOVED, 'suspend the tenant first'],
      [S.ARCHIVED, S.ACTIVE, 'an archived tenant is restored by provisioning it again from its final backup, not resumed'],
      [S.REMOVED, S.ACTIVE, 'from removed the tenant can move to none: removal is final'],
      [S.SUSPENDED, S.REMOVED, 'from suspended the tenant can move to active or archived'],
      [S.ACTIVE, S.ACTIVE, 'from active the tenant can move to suspended'],
    ])('%s → %s', (from, to, fix) => {
      const m = message(() => transitionTenant(req({ fromState: from, toState: to, lastActivityAt: '2020-01-01T00:00:00Z', finalBackup: backup })));
      expect(m).toContain(`TenantTransition[prod/acme]: toState cannot follow ${from} (got "${to}"); ${fix}`);
    });

    test('unknown states, tenants and times are all reported at once', () => {
      const m = message(() => transitionTenant({ environment: prod, tenantId: 'nobody', fromState: 'paused' as S, toState: S.ACTIVE, now: 'today' }));
      expect(m).toMatch(/^3 problems:/);
      expect(m).toMatch(/fromState is not a TenantLifecycleState/);
      expect(m).toMatch(/now is not an ISO-8601 UTC instant/);
      expect(m).toMatch(/tenantId is not a tenant of environment "prod"/);
    });
  });
});

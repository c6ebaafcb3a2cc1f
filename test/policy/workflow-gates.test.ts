import { renderWorkflows } from '../../src/lifecycle/workflows';
import { PolicyInput, PolicyPack, PolicyRuleStatus } from '../../src/policy';
import { DESTROYING_COMMANDS, DestroyStep, destroyStepPattern } from '../../src/policy/rules/workflow-gates';
import { referenceEnvironments } from '../lifecycle/fixtures';

// W01 takes the platform's approval environments (PolicyInput.useApprovalEnvironments), not a fixed list.
describe('W01 follows the approval environments it is given', () => {
  const custom = renderWorkflows(referenceEnvironments(), { approvalEnvironments: ['ops-approval-a', 'ops-approval-b'] });
  const inputOf = (approvals?: string[]) => {
    const input = new PolicyInput();
    for (const file of Object.keys(custom).sort()) input.addWorkflow(`dist/workflows/${file}`, custom[file]);
    return approvals ? input.useApprovalEnvironments(approvals) : input;
  };
  const w01 = (input: PolicyInput) => {
    const report = PolicyPack.default().evaluate(input);
    return { status: report.rules.find(r => r.id === 'W01')!.status, messages: report.errors.filter(f => f.ruleId === 'W01').map(f => f.message) };
  };

  test('workflows gated by the platform\'s own approval environments pass when the input knows them', () => {
    expect(w01(inputOf(['ops-approval-a', 'ops-approval-b', 'preview-cleanup']))).toEqual({ status: PolicyRuleStatus.PASSED, messages: [] });
  });

  test('with the default environments the same workflows fail: their gates are not approvals W01 knows', () => {
    const { status, messages } = w01(inputOf());
    expect(status).toBe(PolicyRuleStatus.FAILED);
    expect(messages).toContainEqual(expect.stringMatching(/^dist\/workflows\/decommission\.yml: jobs\.destroy runs .* gated by no approval environment .*it needs 2 of decommission-approval-1, decommission-approval-2, preview-cleanup/));
  });
});

describe('one list of destroying commands for W01 and V13', () => {
  test('V13\'s role-deletion and destroy steps are the W01 commands of those steps', () => {
    expect(destroyStepPattern(DestroyStep.DESTROY).test('kubectl --context prod delete namespace prod-acme')).toBe(true);
    expect(destroyStepPattern(DestroyStep.DESTROY).test('kubectl --context prod delete job x')).toBe(false);
    expect(destroyStepPattern(DestroyStep.DISABLE).test('vault delete database-prod/roles/acme-db')).toBe(true);
    // Every command W01 gates is destroying; the ones with a V13 step are ordered by V13 too.
    expect(DESTROYING_COMMANDS.filter(c => c.step !== undefined).map(c => c.name)).toEqual(['terraform destroy', 'helm uninstall', 'kubectl delete', 'vault delete / disable']);
  });
});

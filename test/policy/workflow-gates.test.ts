import YAML from 'yaml';
import { renderWorkflows } from '../../src/lifecycle/workflows';
import { PolicyInput, PolicyPack, PolicyRuleStatus } from '../../src/policy';
import { groupsMayCoincide } from '../../src/policy/rules/workflow-concurrency';
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
    expect(DESTROYING_COMMANDS.filter(c => c.step !== undefined).map(c => c.name)).toEqual(['terraform destroy', 'helm uninstall', 'kubectl delete', 'mc rm / rb / admin user remove', 'vault delete / disable']);
    // Emptying a tenant's object prefix destroys its data (issue 23); listing or copying does not.
    expect(destroyStepPattern(DestroyStep.DESTROY).test('mc rm --recursive --force --versions objects/"$bucket"/"$prefix"')).toBe(true);
    expect(destroyStepPattern(DestroyStep.DESTROY).test('mc admin user disable objects prod-acme')).toBe(true);
    expect(destroyStepPattern(DestroyStep.DESTROY).test('mc mirror objects/data/prod/acme/ backup/x')).toBe(false);
    expect(destroyStepPattern(DestroyStep.DESTROY).test('mc() { docker run --rm --env MC_HOST_objects "$MC_IMAGE" "$@"; }')).toBe(false);
  });
});

describe('the decommission workflow empties object prefixes last (issue 23)', () => {
  const workflows = renderWorkflows(referenceEnvironments());
  const evaluate = (text: string) => {
    const input = new PolicyInput();
    for (const file of Object.keys(workflows).sort()) input.addWorkflow(`dist/workflows/${file}`, file === 'decommission.yml' ? text : workflows[file]);
    return PolicyPack.default().evaluate(input).errors.filter(f => f.ruleId === 'V13').map(f => f.message);
  };

  test('the destroy job removes the objects after the destroy, with mc from the pinned image and the admin URL from a secret', () => {
    const text = workflows['decommission.yml'];
    const destroyAt = text.indexOf('Destroy, behind the typed confirmation');
    const removeAt = text.indexOf('Remove the tenants\' objects, last');
    expect(removeAt).toBeGreaterThan(destroyAt);
    expect(text).toContain('MC_HOST_objects: ${{ secrets.OBJECT_STORE_ADMIN_URL }}');
    expect(text).toContain('plan-decommission --inventory "$INVENTORY" --targets object-prefixes');
    expect(evaluate(text)).toEqual([]);
  });

  test('the preview cleanup empties the preview\'s prefixes after its terraform destroy', () => {
    const steps: any[] = YAML.parse(workflows['cleanup-env.yml']).jobs.destroy.steps;
    const names = steps.map(st => String(st.name));
    expect(names.indexOf('Remove the tenants\' objects, last (V13 step 5)')).toBe(names.indexOf('Destroy the preview (terraform destroy of its workspace)') + 1);
  });

  test('V13 refuses a workflow that empties object prefixes before the final backup is verified', () => {
    const doc = YAML.parse(workflows['decommission.yml']);
    const steps: any[] = doc.jobs.backup.steps;
    const at = steps.findIndex(st => String(st.name).startsWith('Final backup of every tenant'));
    expect(at).toBeGreaterThan(0);
    steps.splice(at, 0, { name: 'Empty the prefixes early', run: 'mc rm --recursive --force --versions objects/data/prod/\n' });
    const text = YAML.stringify(doc);
    expect(text).not.toBe(workflows['decommission.yml']);
    expect(evaluate(text)).toContainEqual(expect.stringMatching(/^dist\/workflows\/decommission\.yml#jobs\.backup: jobs\.backup\.steps\[\d+\] runs destroy before the final backup \(jobs\.backup\.steps\[\d+\]\)/));
  });
});

describe('W11 compares concurrency groups with expressions as wildcards', () => {
  test('two groups may coincide exactly when some name matches both', () => {
    const cases: Array<[string, string, boolean]> = [
      ['inopsio-env-${{ inputs.environment }}', 'inopsio-env-prod', true],
      ['inopsio-decommission-${{ inputs.environment }}', 'inopsio-env-${{ needs.name.outputs.environment }}', false],
      ['inopsio-destroy-${{ matrix.environment }}', 'inopsio-preview-orphans', false],
      // An expression may stand for any text, the empty text and text with dashes included.
      ['${{ github.workflow }}', 'tenant-registry', true],
      ['a-${{ x }}-b', 'a--b', true],
      ['a-${{ x }}-b', 'a-c-d', false],
      ['${{ x }}-prod', 'staging-${{ y }}', true],
      ['x${{ a }}y${{ b }}z', 'xyz', true],
      ['x${{ a }}y', 'xz', false],
      // Compared case-insensitively, to be safe.
      ['Inopsio-Env-prod', 'inopsio-env-${{ e }}', true],
    ];
    for (const [a, b, expected] of cases) {
      expect({ a, b, coincide: groupsMayCoincide(a, b) }).toEqual({ a, b, coincide: expected });
      expect({ a, b, symmetric: groupsMayCoincide(b, a) }).toEqual({ a, b, symmetric: expected });
    }
  });
});

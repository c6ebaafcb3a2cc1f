/**
 * T01 from both sides: expression text outside "${...}" is found wherever Terraform would read it as a literal
 * (rules.test.ts has the failing fixtures), and it is left alone where it is legitimate: inside templates, in escapes,
 * in the places Terraform reads bare expressions, and in text that is data for people or another engine.
 */
import { baseState, evaluate, OutputState, tfResource } from './fixtures';
import { PolicyRuleStatus } from '../../src/policy';
import { expressionTextIn, literalText } from '../../src/policy/rules/terraform';

const PROVIDERS = ['vault', 'helm'];

describe('literalText: what Terraform does not evaluate', () => {
  test.each([
    ['${var.x}', ' '],
    ['a ${var.x} b', 'a   b'],
    ['${can(regex("}", var.x))} tail', '  tail'],
    ['%{ if var.x }on%{ else }off%{ endif }', ' on off '],
    ['$${var.x} is literal', '${var.x} is literal'],
    ['%%{literal}', '%{literal}'],
    ['${jsonencode({ a = { b = "${var.c}" } })}!', ' !'],
  ])('%j -> %j', (text, literal) => {
    expect(literalText(text)).toBe(literal);
  });

  test('escaped sequences are removed when asked (text escaped on purpose is not a forgotten "${")', () => {
    expect(literalText('$${var.x} and var.y', false)).toBe('  and var.y');
  });
});

describe('expressionTextIn', () => {
  test.each([
    ['can(regex("^https://", var.vault_address))', 'var.vault_address'],
    ['var.x', 'var.x'],
    ['prefix ${var.ok} local.not_ok', 'local.not_ok'],
    ['module.network.id', 'module.network'],
    ['data.vault_auth_backend.kubernetes.path', 'data.vault_auth_backend.kubernetes'],
    ['each.value', 'each.value'],
    ['count.index', 'count.index'],
    ['path.module/charts', 'path.module'],
    ['terraform.workspace', 'terraform.workspace'],
    ['helm_release.Tenant-acme_Base_1234.status', 'helm_release.Tenant-acme_Base_1234.status'],
    ['jsonencode({})', 'jsonencode(...)'],
    ['  timestamp() ', 'timestamp(...)'],
  ])('finds %j', (text, found) => {
    expect(expressionTextIn(text, PROVIDERS)).toBe(found);
  });

  test.each([
    '${var.x}',
    '${can(regex("^https://", var.vault_address))}',
    '$${var.x}',
    'kv-prod/data/prod/acme',
    'postgres.data.svc',
    'https://var.example.com/path',
    'my-var.x',
    'user@local.domain',
    'backup_latest.sql.gz',
    'aws_s3_bucket.logs.arn', // not a provider of this stack
    'you can (and should) format(this) by hand', // prose that merely contains calls
    'map(string)x', // not a call of a built-in function as a whole
    "{{ vault('database/creds/tenant-db') }}",
  ])('leaves %j alone', text => {
    expect(expressionTextIn(text, PROVIDERS)).toBeUndefined();
  });
});

describe('T01 on the reference stacks: legitimate data is not a finding', () => {
  const t01 = (s: OutputState) => {
    const report = evaluate(s);
    return { status: report.rules.find(r => r.id === 'T01')!.status, findings: report.findings.filter(f => f.ruleId === 'T01').map(f => f.message) };
  };

  test('the fixture exercises the bare-expression places (variable type, depends_on, replace_triggered_by)', () => {
    const s = baseState();
    expect(s.tf.prod.variable.database_bootstrap_passwords.type).toBe('map(string)');
    expect(tfResource(s, 'prod', 'vault_generic_endpoint', 'Tenant-acme/RootRotation').lifecycle.replace_triggered_by[0]).toMatch(/^vault_database_secret_backend_connection\.\S+$/);
    expect(tfResource(s, 'prod', 'helm_release', 'Tenant-acme/Base').depends_on.length).toBeGreaterThan(0);
    expect(t01(s)).toEqual({ status: PolicyRuleStatus.PASSED, findings: [] });
  });

  test('descriptions, error messages, Vault policy HCL, SQL statements, Helm values YAML and escapes pass', () => {
    const s = baseState();
    s.tf.prod.variable.vault_address.description = 'Vault API URL; var.vault_address feeds the provider, checked with can(regex(...)).';
    s.tf.prod.variable.vault_address.validation[0].error_message = 'var.vault_address must be an https:// URL.';
    tfResource(s, 'prod', 'helm_release', 'Tenant-acme/Base').description = 'Installs data.vault_x.y?';
    const policy = tfResource(s, 'prod', 'vault_policy', 'Tenant-acme/Policy');
    policy.policy = `# Rendered for var.tenant (not a Terraform reference)\n${policy.policy}`;
    const role = tfResource(s, 'prod', 'vault_database_secret_backend_role', 'Tenant-acme/DatabaseRole');
    role.creation_statements = [...role.creation_statements, "SELECT format('%I', 'x');", 'COMMENT ON ROLE "{{name}}" IS \'data.vault_role.acme.name\';'];
    const release = tfResource(s, 'prod', 'helm_release', 'Tenant-acme/Module-billing');
    release.values = ['config:\n  expression: can(regex("x", var.y))\n  lookup: lookup(local.map, "k")\n'];
    release.set.push({ name: 'shell.script', type: 'string', value: 'echo "$${var.not_terraform}"' });
    expect(t01(s)).toEqual({ status: PolicyRuleStatus.PASSED, findings: [] });
  });

  test('the same words outside those places are findings (the allow-list is by place, not by word)', () => {
    const s = baseState();
    const release = tfResource(s, 'prod', 'helm_release', 'Tenant-acme/Module-billing');
    release.set.push({ name: 'expression', type: 'string', value: 'can(regex("x", var.y))' });
    const policy = tfResource(s, 'prod', 'vault_policy', 'Tenant-acme/Policy');
    policy.name = 'var.tenant_policy';
    const { status, findings } = t01(s);
    expect(status).toBe(PolicyRuleStatus.FAILED);
    expect(findings).toEqual([
      expect.stringMatching(/Tenant-acme\/Module-billing: set\[\d+\]\.value holds Terraform expression text \(var\.y\)/),
      expect.stringMatching(/Tenant-acme\/Policy: name holds Terraform expression text \(var\.tenant_policy\)/),
    ]);
  });
});

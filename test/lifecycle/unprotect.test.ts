/**
 * The decommission workflow lifts prevent_destroy with an override file (issue 21 item 3). Proven with real Terraform
 * on a stack of `terraform_data` resources (built in: no provider download): destroy is refused while the resources are
 * protected, and succeeds once `inopsio-env unprotect` wrote its override.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EXIT } from '../../src/lifecycle/cli';
import { DECOMMISSION_OVERRIDE_FILE, unprotectOverride } from '../../src/lifecycle/unprotect';
import { runCli } from '../support/cli';
import { TERRAFORM, terraformVersion } from '../support/terraform';

const tmp = process.env.TMPDIR ?? '/tmp';

const cli = runCli;

function terraform(dir: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TF_')) env[k] = v;
  return spawnSync(TERRAFORM, [`-chdir=${dir}`, ...args], {
    env: { ...env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
    encoding: 'utf8',
  });
}

const stack = {
  terraform: { required_version: '>= 1.11.0' },
  resource: {
    terraform_data: {
      Tenant_acme_Data_0001: { input: 'acme', lifecycle: { prevent_destroy: true } },
      Tenant_acme_Other_0002: { input: 'other' },
    },
  },
};

test('the override names exactly the protected resources', () => {
  expect(unprotectOverride(stack)).toEqual({ resource: { terraform_data: { Tenant_acme_Data_0001: { lifecycle: { prevent_destroy: false } } } } });
  expect(unprotectOverride({ resource: { terraform_data: { x: { input: 1 } } } })).toEqual({});
});

test('real Terraform: destroy is refused while protected, and succeeds after inopsio-env unprotect', () => {
  terraformVersion();
  const dir = fs.mkdtempSync(path.join(tmp, 'unprotect-'));
  fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(stack));
  expect(terraform(dir, 'init', '-input=false', '-no-color').status).toBe(0);
  expect(terraform(dir, 'apply', '-auto-approve', '-input=false', '-no-color').status).toBe(0);
  const refused = terraform(dir, 'destroy', '-auto-approve', '-input=false', '-no-color');
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toMatch(/Instance cannot be destroyed/);

  const r = cli('unprotect', '--stack', dir);
  expect(r).toEqual({ code: EXIT.OK, stdout: `override=${path.join(dir, DECOMMISSION_OVERRIDE_FILE)}\nunprotected=1\n`, stderr: '' });
  const destroyed = terraform(dir, 'destroy', '-auto-approve', '-input=false', '-no-color');
  expect(destroyed.stderr).toBe('');
  expect(destroyed.status).toBe(0);
  expect(destroyed.stdout).toMatch(/Destroy complete! Resources: 2 destroyed\./);
});

test('a folder without a stack is a usage error (exit 2), not a silent success', () => {
  const r = cli('unprotect', '--stack', path.join(tmp, 'no-such-stack'));
  expect(r.code).toBe(EXIT.USAGE);
  expect(r.stderr).toContain('unprotect: --stack has no cdk.tf.json');
});

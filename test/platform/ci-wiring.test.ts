/**
 * Issue 24 item 3 and issue 21 item 4, over the reference platform's output (`examples/main.ts`): the workflows are
 * wired to the stacks they run. Both ends are read from the output: the stacks' `variable` blocks, providers and
 * Vault JWT roles from `cdktf.out/stacks/<stack>/cdk.tf.json`, the jobs from `dist/workflows/*.yml`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { previewNames } from '../../src/lifecycle/previews';
import { KUBECONFIG_FILE } from '../../src/lifecycle/workflows';
import { STACK_VARIABLE_SECRETS } from '../../src/model/ci-access';
import { PolicyInput, PolicyPack } from '../../src/policy';
import { PREVIEW_FORBIDDEN_VAULT_TYPES } from '../../src/policy/rules/vault';
import { requiredVariables } from '../../src/policy/rules/wiring-ci';
import { synthesizeReferencePlatform } from '../support/reference-platform';
import { allows, mergePolicies, parametersAllowed } from '../support/vault-acl';

let dir: string;
let stacks: { [name: string]: any };
let workflows: { [file: string]: any };

beforeAll(() => {
  dir = synthesizeReferencePlatform('ci-wiring-');
  const stackDir = path.join(dir, 'cdktf.out', 'stacks');
  stacks = Object.fromEntries(fs.readdirSync(stackDir).sort().map(s => [s, JSON.parse(fs.readFileSync(path.join(stackDir, s, 'cdk.tf.json'), 'utf8'))]));
  const wfDir = path.join(dir, 'dist', 'workflows');
  workflows = Object.fromEntries(fs.readdirSync(wfDir).sort().map(f => [f, YAML.parse(fs.readFileSync(path.join(wfDir, f), 'utf8'))]));
}, 120_000);

const STACK_COMMAND = /\bterraform\b[^\n]*\s(plan|apply|destroy)\b/;
const runs = (job: any): string => (job.steps ?? []).map((s: any) => s.run ?? '').join('\n');
const jobs = () => Object.entries(workflows).flatMap(([file, doc]) => Object.entries<any>(doc.jobs).map(([id, job]) => ({ file, id, job, doc })));
const stackJobs = () => jobs().filter(j => STACK_COMMAND.test(runs(j.job)));
const PREVIEW = () => Object.keys(stacks).find(s => s.startsWith('preview-'))!;
/** The stacks a job may run: its literal ENV_NAME's, else (chosen at run time) every environment stack. */
const stacksOfJob = (j: { job: any; doc: any }) => {
  const env = { ...(j.doc.env ?? {}), ...(j.job.env ?? {}) };
  const named = typeof env.ENV_NAME === 'string' && !env.ENV_NAME.includes('${{') ? env.ENV_NAME : undefined;
  return Object.keys(stacks).filter(s => s !== 'github-environments' && (named === undefined || s === named));
};

describe('the reference platform\'s workflows are wired to its stacks', () => {
  test('each stack job supplies every variable without a default of every stack it may run, from the named secret', () => {
    expect(stackJobs().map(j => `${j.file} ${j.id}`).sort()).toEqual([
      'cleanup-env.yml destroy', 'decommission.yml destroy', 'preview.yml provision', 'tenant-upgrade.yml plan-prod', 'tenant-upgrade.yml upgrade-dev', 'tenant-upgrade.yml upgrade-prod', 'tenant-upgrade.yml upgrade-staging',
    ]);
    const required = new Set<string>();
    for (const j of stackJobs()) {
      const env = { ...(j.doc.env ?? {}), ...(j.job.env ?? {}) };
      for (const s of stacksOfJob(j)) {
        for (const v of requiredVariables({ environment: s, file: s, json: stacks[s], resources: [] })) {
          required.add(v);
          expect({ job: `${j.file} ${j.id}`, stack: s, variable: v, value: env[`TF_VAR_${v}`] })
            .toEqual({ job: `${j.file} ${j.id}`, stack: s, variable: v, value: `\${{ secrets.${STACK_VARIABLE_SECRETS[v]} }}` });
        }
      }
    }
    // The stacks do declare variables without a default, so the loop above checked something.
    expect([...required].sort()).toEqual(['object_store_admin_user', 'object_store_endpoint', 'postgres_admin_username', 'vault_address', 'vault_kubernetes_ca_cert']);
  });

  test('the policy report of the synth has W07 passed over every stack job', () => {
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'dist', 'policy-report.json'), 'utf8'));
    expect(report.rules.find((r: any) => r.id === 'W07')).toMatchObject({ status: 'passed', checked: 7 });
    // W11 (issue 21 item 4) over the destroying jobs: cleanup destroy and orphans, decommission revoke and destroy; their
    // roles are in this output (dev's and each environment's github-<env> mount), so their bindings were checked too.
    expect(report.rules.find((r: any) => r.id === 'W11')).toMatchObject({ status: 'passed', checked: 4 });
  });

  test('W11 reads the cleanup role from this output: bound to any branch, the cleanup\'s destroy and orphan search fail', () => {
    const w11 = (mutate: (dev: any) => void) => {
      const input = new PolicyInput();
      for (const [name, json] of Object.entries(stacks)) {
        const copy = JSON.parse(JSON.stringify(json));
        if (name === 'dev') mutate(copy);
        input.addTerraformStack(name, `cdktf.out/stacks/${name}/cdk.tf.json`, JSON.stringify(copy));
      }
      for (const file of Object.keys(workflows)) input.addWorkflow(`dist/workflows/${file}`, fs.readFileSync(path.join(dir, 'dist', 'workflows', file), 'utf8'));
      return PolicyPack.default().evaluate(input).findings.filter(f => f.ruleId === 'W11').map(f => f.message);
    };
    expect(w11(() => undefined)).toEqual([]);
    const globbed = w11(dev => {
      const role = Object.values<any>(dev.resource.vault_jwt_auth_backend_role).find(r => r.role_name === 'ci-dev-cleanup');
      role.bound_claims.ref = 'refs/heads/*';
      role.bound_claims_type = 'glob';
    });
    expect(globbed.map(m => m.split(':')[0])).toEqual(['dist/workflows/cleanup-env.yml#jobs.destroy', 'dist/workflows/cleanup-env.yml#jobs.orphans']);
    expect(globbed[0]).toMatch(/logs in with Vault role "ci-dev-cleanup" \(cdktf\.out\/stacks\/dev\/cdk\.tf\.json\), which is bound to ref "refs\/heads\/\*", not to one branch/);
  });

  test('the kubeconfig a stack job writes is the file the Helm provider reads (var.kube_config_path)', () => {
    for (const [name, stack] of Object.entries(stacks)) {
      if (!stack.provider?.helm) continue;
      expect({ name, configPath: stack.provider.helm[0].kubernetes.config_path }).toEqual({ name, configPath: '${var.kube_config_path}' });
    }
    for (const j of stackJobs()) {
      const steps: any[] = j.job.steps;
      const write = steps.findIndex(s => s.name === 'Write the kubeconfig');
      const terraform = steps.findIndex(s => STACK_COMMAND.test(s.run ?? ''));
      expect({ job: `${j.file} ${j.id}`, before: write >= 0 && write < terraform }).toEqual({ job: `${j.file} ${j.id}`, before: true });
      const script: string = steps[write].run;
      expect(script).toContain(`printf '%s' "$KUBECONFIG_DATA" > "${KUBECONFIG_FILE}"`);
      expect(script).toContain(`echo "TF_VAR_kube_config_path=${KUBECONFIG_FILE}" >> "$GITHUB_ENV"`);
    }
  });

  test('every job that uses Vault logs in first, with a JWT role of the stacks bound to its repository, environment and ref', () => {
    let checked = 0;
    for (const j of jobs()) {
      const steps: any[] = j.job.steps;
      const login = steps.findIndex(s => String(s.uses ?? '').startsWith('hashicorp/vault-action@'));
      const usesVault = steps.findIndex(s => /\bvault (lease|delete|write|read)\b|\bterraform\b[^\n]*\s(plan|apply|destroy)\b/.test(s.run ?? ''));
      if (usesVault < 0) continue;
      expect({ job: `${j.file} ${j.id}`, loginFirst: login >= 0 && login < usesVault }).toEqual({ job: `${j.file} ${j.id}`, loginFirst: true });
      expect(j.job.permissions['id-token']).toBe('write');
      const w = steps[login].with;
      expect(w).toMatchObject({ method: 'jwt', jwtGithubAudience: 'vault', exportToken: true });
      // `${{ inputs.environment }}` (decommission) stands for each environment the dispatch offers.
      const choices: string[] = j.doc.on?.workflow_dispatch?.inputs?.environment?.options ?? [''];
      const triggers = Object.keys(j.doc.on);
      for (const choice of choices) {
        const mount = String(w.path).replace('${{ inputs.environment }}', choice);
        const roleName = String(w.role).replace('${{ inputs.environment }}', choice);
        const found = Object.entries(stacks).flatMap(([s, st]) => {
          const backends = st.resource?.vault_jwt_auth_backend ?? {};
          return Object.values<any>(st.resource?.vault_jwt_auth_backend_role ?? {})
            .filter(r => r.role_name === roleName)
            .map(r => ({ stack: s, role: r, backend: backends[/^\$\{vault_jwt_auth_backend\.([^.]+)\.path\}$/.exec(r.backend)?.[1] ?? ''] }));
        });
        expect({ job: `${j.file} ${j.id}`, roleName, stacks: found.map(f => f.stack) }).toEqual({ job: `${j.file} ${j.id}`, roleName, stacks: [expect.any(String)] });
        const { role, backend } = found[0];
        expect(backend).toMatchObject({ path: mount, type: 'jwt', bound_issuer: 'https://token.actions.githubusercontent.com' });
        expect(role.bound_audiences).toEqual([w.jwtGithubAudience]);
        expect(role.token_no_default_policy).toBe(true);
        expect(role.bound_claims.repository).toBe('inopsio/platform');
        expect({ job: `${j.file} ${j.id}`, environment: role.bound_claims.environment }).toEqual({ job: `${j.file} ${j.id}`, environment: j.job.environment });
        // A pull request's run has ref refs/pull/<n>/merge; every other trigger here runs on the default branch.
        const ref = triggers.includes('pull_request') ? 'refs/pull/*/merge' : 'refs/heads/main';
        expect({ job: `${j.file} ${j.id}`, ref: role.bound_claims.ref, type: role.bound_claims_type })
          .toEqual({ job: `${j.file} ${j.id}`, ref, type: ref.includes('*') ? 'glob' : 'string' });
        checked++;
      }
    }
    // preview provision, cleanup destroy and orphans, 3 upgrades (dev, staging, prod), the prod plan, decommission
    // revoke and destroy for each of 3 environments.
    expect(checked).toBe(13);
  });

  test('each job with an environment limited to the default branch is triggered on the default branch only', () => {
    const gh = stacks['github-environments'].resource;
    const limited = new Set(Object.values<any>(gh.github_repository_environment_deployment_policy ?? {}).filter(p => p.branch_pattern === 'main')
      .map(p => /github_repository_environment\.([^.]+)\.environment/.exec(p.environment)![1])
      .map(id => gh.github_repository_environment[id].environment));
    expect(limited).toContain('preview-cleanup');
    for (const j of jobs().filter(x => typeof x.job.environment === 'string' && limited.has(x.job.environment))) {
      expect({ job: `${j.file} ${j.id}`, triggers: Object.keys(j.doc.on).filter(t => /^pull_request/.test(t)) }).toEqual({ job: `${j.file} ${j.id}`, triggers: [] });
    }
  });
});

describe('the CI roles\' policies reach only their own environment (Vault prefix-glob semantics)', () => {
  const policyOf = (stack: string, name: string) => {
    const p = Object.values<any>(stacks[stack].resource.vault_policy).find(x => x.name === name);
    expect(p).toBeDefined();
    return mergePolicies([p.policy]);
  };
  const OTHERS = ['dev', 'staging', 'prod'];
  const forbidden = (env: string) => [
    [`sys/leases/revoke-prefix/database-${env}/creds/acme-db`, 'update'],
    [`sys/leases/revoke-prefix/auth/kubernetes-${env}/login`, 'update'],
    [`sys/mounts/kv-${env}`, 'delete'],
    [`sys/mounts/database-${env}`, 'update'],
    [`sys/auth/kubernetes-${env}`, 'delete'],
    [`sys/policies/acl/env-${env}`, 'update'],
    [`sys/policies/acl/env-${env}-tenant-acme`, 'update'],
    [`auth/kubernetes-${env}/role/acme`, 'update'],
    [`kv-${env}/data/${env}/acme/db`, 'read'],
    [`database-${env}/creds/acme-db`, 'read'],
  ] as const;
  const ADMIN = [
    ['sys/policies/acl/ci-dev-cleanup', 'update'], ['sys/policies/acl/anything', 'update'], ['sys/auth/github-dev', 'update'],
    ['auth/github-dev/role/ci-dev-cleanup', 'update'], ['sys/audit/audit-file', 'delete'], ['sys/leases/revoke-prefix/', 'update'],
    ['identity/entity', 'update'], ['secret/data/x', 'read'],
  ] as const;

  // What a preview's stack may not do: mount an engine, enable an auth method, write any policy (issue 21 item 1).
  const VAULT_ADMIN = [
    ...['sys/mounts/kv-preview', 'sys/mounts/database-preview', 'sys/mounts/kv-preview-x', 'sys/mounts/anything', 'sys/mounts/database-preview/tune'].map(p => [p, 'create']),
    ...['sys/auth/kubernetes-preview', 'sys/auth/kubernetes-preview-x', 'sys/auth/github-dev', 'sys/auth/anything'].map(p => [p, 'update']),
    ...['sys/policies/acl/preview-tenant', 'sys/policies/acl/preview-migrate', 'sys/policies/acl/env-preview', 'sys/policies/acl/env-preview-x-tenant-acme',
      'sys/policies/acl/preview-anything', 'sys/policies/acl/default', 'sys/policies/acl/root', 'sys/policies/acl/ci-dev-preview'].map(p => [p, 'update']),
    ['sys/policy/preview-tenant', 'update'], ['sys/mounts', 'update'], ['sys/auth', 'update'],
    // Roles outside the preview prefixes, in the preview mounts and in dev's.
    ['auth/kubernetes-preview/role/acme', 'create'], ['auth/kubernetes-preview/config', 'update'], ['database-preview/roles/acme-db', 'create'],
    ['database-preview/config/acme', 'create'], ['auth/kubernetes-dev/role/preview-x-acme', 'create'], ['database-dev/roles/preview-x-acme-db', 'create'],
    ['kv-preview/data/preview-x-acme/stripe', 'create'], ['database-preview/creds/preview-x-acme-db', 'read'],
  ] as const;
  const ciPolicyText = (name: string) => Object.values<any>(stacks.dev.resource.vault_policy).find(x => x.name === name).policy as string;

  test('the preview stack holds Vault roles only (V15): every mount, auth backend and policy comes from the host stack', () => {
    const resources = stacks[PREVIEW()].resource;
    expect(Object.keys(resources).filter(t => PREVIEW_FORBIDDEN_VAULT_TYPES.includes(t))).toEqual([]);
    expect(Object.keys(resources).filter(t => t.startsWith('vault_')).sort()).toEqual([
      'vault_database_secret_backend_connection', 'vault_database_secret_backend_role', 'vault_generic_endpoint', 'vault_kubernetes_auth_backend_role',
      // The preview tenants' object-store keys, written under the preview's namespaces in the host's KV mount.
      'vault_kv_secret_v2',
    ]);
    const role: any = Object.values(resources.vault_kubernetes_auth_backend_role)[0];
    expect(role).toMatchObject({ backend: 'kubernetes-preview', role_name: `${PREVIEW()}-acme`, token_policies: ['preview-tenant'] });
    const host = stacks.dev.resource;
    expect(Object.values<any>(host.vault_mount).map(m => m.path)).toEqual(expect.arrayContaining(['kv-preview', 'database-preview']));
    expect(Object.values<any>(host.vault_auth_backend).map(m => m.path)).toEqual(expect.arrayContaining(['kubernetes-preview']));
    expect(Object.values<any>(host.vault_policy).map(m => m.name)).toEqual(expect.arrayContaining(['preview-tenant', 'preview-migrate', 'env-preview']));
  });

  test('preview: adds roles under preview-* names in the shared preview mounts; no mount, auth backend or policy', () => {
    const acl = policyOf('dev', 'ci-dev-preview');
    const key = `${PREVIEW()}-acme`;
    for (const [p, c] of [
      [`database-preview/config/${key}`, 'create'], [`database-preview/rotate-root/${key}`, 'update'], [`database-preview/roles/${key}-db`, 'update'],
      [`database-preview/roles/${key}-db`, 'delete'], [`auth/kubernetes-preview/role/${key}`, 'create'], [`auth/kubernetes-preview/role/${key}`, 'delete'],
    ] as const) expect({ p, c, allowed: allows(acl, p, c) }).toEqual({ p, c, allowed: true });
    expect(allows(acl, 'sys/leases/revoke-prefix/database-preview/creds/', 'update')).toBe(false);
    for (const [p, c] of [...VAULT_ADMIN, ...OTHERS.flatMap(forbidden), ...ADMIN]) {
      expect({ p, c, allowed: allows(acl, p, c) }).toEqual({ p, c, allowed: false });
    }
  });

  test('preview: a Kubernetes auth role it writes can carry the host\'s templated preview policies only', () => {
    const text = [ciPolicyText('ci-dev-preview')];
    const role = `auth/kubernetes-preview/role/${PREVIEW()}-acme`;
    const cases: Array<[{ [name: string]: string[] }, boolean]> = [
      [{ token_policies: ['preview-tenant'], bound_service_account_names: ['billing'], audience: ['vault'] }, true],
      [{ token_policies: ['preview-migrate'] }, true],
      [{ bound_service_account_namespaces: ['anything'] }, true],
      [{ token_policies: ['ci-dev-apply'] }, false],
      [{ token_policies: ['preview-tenant', 'default'] }, false],
      [{ token_policies: ['env-dev-tenant-acme'] }, false],
      [{ token_policies: ['preview-tenant'], policies: ['env-dev'] }, false],
      [{ policies: ['preview-tenant'] }, false],
    ];
    for (const [params, ok] of cases) expect({ params, ok: parametersAllowed(text, role, params) }).toEqual({ params, ok });
  });

  test('cleanup: revokes the previews\' database leases and deletes their roles; no mount, auth backend or policy', () => {
    const acl = policyOf('dev', 'ci-dev-cleanup');
    const key = `${PREVIEW()}-acme`;
    for (const [p, c] of [
      [`sys/leases/revoke-prefix/database-preview/creds/${key}-db`, 'sudo'], [`database-preview/roles/${key}-db`, 'delete'],
      [`database-preview/config/${key}`, 'delete'], [`auth/kubernetes-preview/role/${key}`, 'delete'],
      // The orphan search lists the shared preview mounts' role folders (a LIST of `x` is checked against `x/`).
      ['database-preview/roles/', 'list'], ['database-preview/config/', 'list'], ['auth/kubernetes-preview/role/', 'list'],
    ] as const) expect({ p, c, allowed: allows(acl, p, c) }).toEqual({ p, c, allowed: true });
    // Listing reaches no other folder: not another environment's roles, secrets, policies or auth backends.
    const LISTS = [
      ...OTHERS.flatMap(env => [`database-${env}/roles/`, `database-${env}/config/`, `auth/kubernetes-${env}/role/`, `kv-${env}/metadata/`]),
      'kv-preview/metadata/', 'database-preview/creds/', 'sys/policies/acl/', 'auth/github-dev/role/', 'sys/leases/lookup/', 'auth/token/accessors/',
    ].map(p => [p, 'list'] as const);
    for (const [p, c] of [...VAULT_ADMIN, ...LISTS, ['sys/leases/revoke-prefix/database-preview/creds/acme-db', 'sudo'], ...OTHERS.flatMap(forbidden), ...ADMIN] as const) {
      expect({ p, c, allowed: allows(acl, p, c) }).toEqual({ p, c, allowed: false });
    }
  });

  test('dev apply (the previews\' host) manages the shared preview mounts and policies; staging and prod cannot', () => {
    for (const p of ['sys/mounts/kv-preview', 'sys/auth/kubernetes-preview', 'sys/policies/acl/preview-tenant', 'sys/policies/acl/env-preview']) {
      expect({ p, allowed: allows(policyOf('dev', 'ci-dev-apply'), p, 'update') }).toEqual({ p, allowed: true });
    }
    for (const env of ['staging', 'prod']) {
      for (const [p, c] of forbidden('preview')) expect({ env, p, c, allowed: allows(policyOf(env, `ci-${env}-apply`), p, c) }).toEqual({ env, p, c, allowed: false });
    }
  });

  test.each(['dev', 'staging', 'prod'])('%s apply and decommission: their environment only, not the CI roles', env => {
    for (const purpose of ['apply', 'decommission']) {
      const acl = policyOf(env, `ci-${env}-${purpose}`);
      expect(allows(acl, `sys/mounts/kv-${env}`, 'update')).toBe(true);
      expect(allows(acl, `auth/kubernetes-${env}/role/acme`, 'update')).toBe(true);
      expect(allows(acl, `sys/leases/revoke-prefix/database-${env}/creds/acme-db`, 'sudo')).toBe(purpose === 'decommission');
      const others = [...OTHERS.filter(e => e !== env), ...(env === 'dev' ? [] : ['preview'])];
      for (const [p, c] of others.flatMap(forbidden)) {
        expect({ env, purpose, p, c, allowed: allows(acl, p, c) }).toEqual({ env, purpose, p, c, allowed: false });
      }
      // Its own CI roles: read (a plan refreshes them), never created or changed (no CI token widens its own policy).
      for (const p of [`sys/policies/acl/ci-${env}-apply`, `sys/auth/github-${env}`, `auth/github-${env}/role/ci-${env}-apply`]) {
        expect({ env, purpose, p, read: allows(acl, p, 'read'), update: allows(acl, p, 'update'), create: allows(acl, p, 'create') })
          .toEqual({ env, purpose, p, read: true, update: false, create: false });
      }
    }
  });
});

describe('the example synthesizes the previews the workflows pass (issue 24 item 3)', () => {
  test('INOPSIO_PREVIEWS of preview.yml gives the pull request\'s preview stack, with the name preview-name computes', () => {
    const out = synthesizeReferencePlatform('ci-previews-', {
      env: { INOPSIO_PREVIEWS: JSON.stringify([{ branch: 'fix/login', owner: 'sam', createdAt: '2026-12-01T10:00:00Z' }]) },
    });
    expect(fs.readdirSync(path.join(out, 'cdktf.out', 'stacks')).filter(s => s.startsWith('preview-'))).toEqual([previewNames('fix/login').name]);
    const inventory = JSON.parse(fs.readFileSync(path.join(out, 'dist', 'lifecycle.json'), 'utf8'));
    expect(inventory.environments.find((e: any) => e.name === previewNames('fix/login').name)).toMatchObject({ owner: 'sam', createdAt: '2026-12-01T10:00:00Z' });
  }, 120_000);
});

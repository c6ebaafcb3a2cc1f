import * as jwtAuthBackend from '@cdktf/provider-vault/lib/jwt-auth-backend';
import * as jwtAuthBackendRole from '@cdktf/provider-vault/lib/jwt-auth-backend-role';
import * as policy from '@cdktf/provider-vault/lib/policy';
import { Construct } from 'constructs';
import { CI_VAULT_AUDIENCE, ciVaultAuthMount, CiVaultRole, GITHUB_OIDC_DISCOVERY_URL, GITHUB_OIDC_ISSUER, renderCiPolicy } from '../model/ci-access';
import { Environment } from '../model/environment';

/** Lifetime of a CI token: the longest job (decommission destroy) is 180 minutes; Terraform renews its child token. */
const CI_TOKEN_TTL_SECONDS = 3600;
const CI_TOKEN_MAX_TTL_SECONDS = 3 * 3600;

/**
 * The Vault side of the CI's access to an environment (issue 24 item 3, issue 21 item 4): a JWT auth backend
 * `github-<env>` that trusts GitHub Actions OIDC tokens (`bound_issuer` https://token.actions.githubusercontent.com),
 * and one role per workflow purpose (`ci-<env>-<purpose>`, src/model/ci-access.ts), each bound on the `repository`,
 * `environment` and `ref` claims and the `vault` audience, with its own policy and nothing else (no default policy).
 * Not part of the public API: EnvironmentStack adds it when the Platform knows its GitHub repository.
 */
export class CiVaultAuth extends Construct {
  public readonly backend: jwtAuthBackend.JwtAuthBackend;
  public readonly roles: jwtAuthBackendRole.JwtAuthBackendRole[] = [];

  constructor(scope: Construct, id: string, env: Environment, roles: readonly CiVaultRole[]) {
    super(scope, id);
    this.backend = new jwtAuthBackend.JwtAuthBackend(this, 'Backend', {
      path: ciVaultAuthMount(env.name),
      type: 'jwt',
      description: `GitHub Actions OIDC login of the lifecycle workflows of environment ${env.name}`,
      oidcDiscoveryUrl: GITHUB_OIDC_DISCOVERY_URL,
      boundIssuer: GITHUB_OIDC_ISSUER,
    });
    for (const r of roles) {
      const p = new policy.Policy(this, `Policy-${r.purpose}`, { name: r.name, policy: renderCiPolicy(r.policy) });
      this.roles.push(new jwtAuthBackendRole.JwtAuthBackendRole(this, `Role-${r.purpose}`, {
        backend: this.backend.path,
        roleName: r.name,
        roleType: 'jwt',
        userClaim: 'sub',
        boundAudiences: [CI_VAULT_AUDIENCE],
        boundClaims: { ...r.boundClaims },
        boundClaimsType: r.boundClaimsType,
        tokenPolicies: [p.name],
        tokenNoDefaultPolicy: true,
        tokenTtl: CI_TOKEN_TTL_SECONDS,
        tokenMaxTtl: CI_TOKEN_MAX_TTL_SECONDS,
      }));
    }
  }
}

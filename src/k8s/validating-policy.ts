/**
 * What every ValidatingAdmissionPolicy of the library shares (immutable production, tenant Services, tenant Ingress
 * hosts, Argo CD projects): the API version the target Kubernetes release serves, the check of the props that pick
 * it, CEL string literals, and the policy written together with its `Deny` + `Audit` binding. One place, so a policy
 * added later is versioned, validated and bound the same way (docs/policies.md, "Admission policies").
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KubeValidatingAdmissionPolicyBindingV1Beta1, KubeValidatingAdmissionPolicyV1Beta1, LabelSelector, ValidatingAdmissionPolicySpecV1Beta1 } from './imports/k8s';
import { Environment } from '../model/environment';
import { KubernetesVersion } from '../model/kubernetes-version';
import { Problems } from '../model/problems';

/** The API version a ValidatingAdmissionPolicy is written in; the target Kubernetes version picks it. */
export enum AdmissionPolicyApiVersion {
  /**
   * The beta API, for targets 1.28 and 1.29 (where it is the only one). Off by default there: the cluster needs the
   * `ValidatingAdmissionPolicy` feature gate and `admissionregistration.k8s.io/v1beta1` in `--runtime-config`.
   * Kubernetes 1.34 and newer do not know it at all.
   */
  V1BETA1 = 'admissionregistration.k8s.io/v1beta1',
  /** The GA API, served by default from Kubernetes 1.30. */
  V1 = 'admissionregistration.k8s.io/v1',
}

/** The first release that serves ValidatingAdmissionPolicy by default (GA). */
const GA_SINCE = KubernetesVersion.V1_30;

/**
 * The API version of the policies for a target, or the problem (for the `kubernetesVersion` field) when the target
 * cannot serve them by default. Shared with Platform, which names the opt-in `immutableProduction.betaApiEnabled`.
 */
export function admissionPolicyApiVersion(target: KubernetesVersion, betaApiEnabled: boolean, betaField: string = 'betaApiEnabled',
  policies: string = 'the immutable-production policies'): AdmissionPolicyApiVersion | { problem: string; fix: string } {
  if (target.isAtLeast(GA_SINCE)) return AdmissionPolicyApiVersion.V1;
  if (betaApiEnabled) return AdmissionPolicyApiVersion.V1BETA1;
  return {
    problem: `is ${target.name}, which serves ValidatingAdmissionPolicy only as the beta API ${AdmissionPolicyApiVersion.V1BETA1}, off by default: a default cluster rejects ${policies}`,
    fix: `enable that API on every cluster (kube-apiserver --feature-gates=ValidatingAdmissionPolicy=true --runtime-config=${AdmissionPolicyApiVersion.V1BETA1}=true) and set ${betaField}: true, or target Kubernetes ${GA_SINCE.name} or newer`,
  };
}

/**
 * A policy construct's `environment` prop, checked: an Environment, else the problem is thrown at once (with every
 * problem `problems` holds so far), since nothing else can be checked without it. `fix` says which Environment to pass.
 */
export function checkedPolicyEnvironment(problems: Problems, environment: unknown, fix: string): Environment {
  if (!(environment instanceof Environment)) {
    problems.add('environment', 'is not an Environment', environment, fix);
    problems.throwIfAny();
  }
  return environment as Environment;
}

/**
 * Check a policy construct's `kubernetesVersion` and `betaApiEnabled` props into `problems` and return the API
 * version to write (V1 when a problem was found: the caller throws before writing anything).
 */
export function checkedAdmissionApiVersion(problems: Problems, target: KubernetesVersion, betaApiEnabled: boolean,
  policies?: string): AdmissionPolicyApiVersion {
  if (typeof betaApiEnabled !== 'boolean') problems.add('betaApiEnabled', 'is not a boolean', betaApiEnabled, 'set true or false');
  if (!KubernetesVersion.isKubernetesVersion(target)) {
    problems.add('kubernetesVersion', 'is not a KubernetesVersion', target, 'use e.g. KubernetesVersion.V1_35 or KubernetesVersion.of(\'1.35\')');
    return AdmissionPolicyApiVersion.V1;
  }
  const picked = admissionPolicyApiVersion(target, betaApiEnabled === true, 'betaApiEnabled', policies);
  if (typeof picked === 'string') return picked;
  problems.add('kubernetesVersion', picked.problem, target.name, picked.fix);
  return AdmissionPolicyApiVersion.V1;
}

/** A CEL string literal. */
export function cel(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, '\\\'')}'`;
}

/** A CEL list of string literals. */
export function celList(values: string[]): string {
  return `[${values.map(cel).join(', ')}]`;
}

/** A ValidatingAdmissionPolicy and its binding, as written. */
export interface BoundPolicy {
  readonly policy: ApiObject;
  readonly binding: ApiObject;
}

/**
 * Write a ValidatingAdmissionPolicy `name` with `spec` as child `policyId` of `scope`, and its binding (child
 * `bindingId`, same name) with `validationActions: [Deny, Audit]`: refused requests are refused and recorded in the
 * API server audit log. The binding depends on the policy (applied after it).
 *
 * Typed with the bindings of `admissionregistration.k8s.io/v1beta1`, the version the 1.28 schema has (v1 is GA from
 * 1.30), and written in `apiVersion`: the v1 objects have the same fields as v1beta1's for everything set here.
 * Built as `ApiObject`s of the converted manifest with `apiVersion` replaced, not with `kubeObject`, which would
 * write v1beta1 for every target.
 */
export function boundPolicy(scope: Construct, ids: { policy: string; binding: string }, apiVersion: AdmissionPolicyApiVersion,
  name: string, labels: { [key: string]: string }, spec: ValidatingAdmissionPolicySpecV1Beta1): BoundPolicy {
  const policy = new ApiObject(scope, ids.policy, {
    ...KubeValidatingAdmissionPolicyV1Beta1.manifest({ spec }),
    apiVersion,
    metadata: { name, labels },
  });
  const binding = new ApiObject(scope, ids.binding, {
    ...KubeValidatingAdmissionPolicyBindingV1Beta1.manifest({ spec: { policyName: name, validationActions: ['Deny', 'Audit'] } }),
    apiVersion,
    metadata: { name, labels },
  });
  binding.node.addDependency(policy);
  return { policy, binding };
}

/** The namespace selector of every tenant namespace of an environment: the labels TenantNamespace sets (`tenantLabels`). */
export function tenantNamespaceSelector(env: { readonly name: string }): LabelSelector {
  return { matchLabels: { env: env.name }, matchExpressions: [{ key: 'tenant', operator: 'Exists' }] };
}

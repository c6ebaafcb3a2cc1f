/**
 * The one reader of the Vault Agent injector's annotations the output writes (docs/architecture.md "Who owns each
 * concept"): which Vault paths a workload asks the agent for. The policy pack (W08, src/policy/rules/wiring-vault.ts),
 * the wiring rules' logins (W03/W04, src/policy/rules/wiring.ts) and the prerequisites list
 * (src/lifecycle/prerequisites.ts) read them here, so they cannot disagree on what a pod reads. Framework-free: the
 * engines write the annotations (src/model/module-values.ts, src/k8s/backup-vault-agent.ts), these functions read
 * them back from any place the output carries them: pod templates, and Helm parameters (`helm_release` `set`
 * values, Argo CD `helm.parameters`) whose names end in a pod annotation.
 */

/** The injector's annotation prefix. */
export const VAULT_AGENT_ANNOTATION = 'vault.hashicorp.com/';
/** `agent-inject-secret-<file>: <path>`: the agent reads `<path>` into `<file>`. */
export const AGENT_INJECT_SECRET = `${VAULT_AGENT_ANNOTATION}agent-inject-secret-`;
/** `agent-inject-template-<file>: <Consul Template>`: the template reads each `secret "<path>"`. */
export const AGENT_INJECT_TEMPLATE = `${VAULT_AGENT_ANNOTATION}agent-inject-template-`;
/** `{{ with secret "<path>" }}` / `{{ secret "<path>" }}` in a Consul Template of the agent. */
const TEMPLATE_SECRET = /\bsecret\s+"([^"]+)"/g;

/** `agent-inject`: the injector adds the agent to the pod when it is true. */
export const AGENT_INJECT = `${VAULT_AGENT_ANNOTATION}agent-inject`;

/**
 * Whether the injector adds its agent to a pod with these annotations: `agent-inject` read as the injector reads it
 * (Go's `strconv.ParseBool`: `1`, `t`, `T`, `TRUE`, `true`, `True`; anything else, or no annotation, is false).
 */
export function injectsVaultAgent(annotations: { readonly [key: string]: unknown } | undefined): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(String(annotations?.[AGENT_INJECT] ?? ''));
}

/** One Vault path a workload's annotations ask the agent for. */
export interface VaultAgentRead {
  /** The annotation that names it (`vault.hashicorp.com/agent-inject-secret-db`). */
  readonly key: string;
  /** The path as Vault routes it (leading slashes removed). */
  readonly path: string;
}

/**
 * The Vault paths a set of pod annotations asks the agent for: each `agent-inject-secret-*` value (an empty one asks
 * for nothing) and each `secret "<path>"` of each `agent-inject-template-*`, by annotation name in code-point order.
 * The secret and template annotations of one file usually name the same path: each path is listed once, at the
 * first annotation that reads it. Other annotations are ignored; a value that is not a string (the API server refuses
 * one) is read as its text.
 */
export function vaultAgentReads(annotations: { readonly [key: string]: unknown } | undefined): VaultAgentRead[] {
  const out: VaultAgentRead[] = [];
  const seen = new Set<string>();
  const push = (key: string, raw: string) => {
    const path = raw.replace(/^\/+/, '');
    if (path === '' || seen.has(path)) return;
    seen.add(path);
    out.push({ key, path });
  };
  for (const key of Object.keys(annotations ?? {}).sort()) {
    const value = annotations![key];
    if (value === undefined || value === null) continue;
    const text = String(value);
    if (key.startsWith(AGENT_INJECT_SECRET)) push(key, text);
    if (key.startsWith(AGENT_INJECT_TEMPLATE)) {
      for (const m of text.matchAll(TEMPLATE_SECRET)) push(key, m[1]);
    }
  }
  return out;
}

/** A Helm parameter as `helm_release` `set` and Argo CD `helm.parameters` write it. */
export interface HelmParameter {
  readonly name?: unknown;
  readonly value?: unknown;
}

/** A Helm `--set` name unescaped (`podAnnotations.vault\.hashicorp\.com/role` → `podAnnotations.vault.hashicorp.com/role`). */
export function unescapeHelmName(name: string): string {
  return name.replace(/\\(.)/g, '$1');
}

/**
 * The pod annotations of the injector that Helm parameters set, by annotation name: every parameter whose unescaped
 * name has a key segment starting with `vault.hashicorp.com/` (`podAnnotations.vault\.hashicorp\.com/role`); the pod
 * annotations value may be under any key (`SecretDeliveryOptions.podAnnotationsKey`), so it is found by the
 * annotation, not by the key. A top-level value of that name is not a pod annotation and is ignored; of two
 * parameters that set the same annotation, the later wins, as in Helm.
 */
export function vaultAnnotationsOfParameters(parameters: readonly unknown[] | undefined): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const p of parameters ?? []) {
    const name = (p as HelmParameter | undefined)?.name;
    if (typeof name !== 'string') continue;
    const unescaped = unescapeHelmName(name);
    const i = unescaped.indexOf(VAULT_AGENT_ANNOTATION);
    if (i > 0 && unescaped[i - 1] === '.') out[unescaped.slice(i)] = String((p as HelmParameter).value ?? '');
  }
  return out;
}

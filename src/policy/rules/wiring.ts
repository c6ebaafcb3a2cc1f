/**
 * W03–W06, wiring rules (issue 24): a reference from one artifact to another resolves. Each artifact validates alone;
 * these rules check that the two ends of a reference meet, and name both when they do not.
 *
 * - W03: a workload that logs in to Vault (`vault.hashicorp.com/role` + `auth-path`) runs as a service account, in
 *   a namespace, that the Terraform `vault_kubernetes_auth_backend_role` of that name on that mount binds. Workloads
 *   are pods of the Kubernetes output, module releases of Terraform (`helm_release` `set` values) and Argo CD
 *   Applications (`spec.source.helm.parameters`): the same values reach the chart in both module paths
 *   (src/model/module-values.ts).
 * - W04: the token the workload presents (the projected volume named by
 *   `agent-service-account-token-volume-name`, else the pod's default token) is for the audience the role requires.
 * - W05: every port a PodMonitor / ServiceMonitor scrapes is admitted, from the namespace Prometheus scrapes from
 *   (annotation `lifecycle.inopsio.io/scraper-namespace`, else `monitoring`), by the NetworkPolicies of the scraped
 *   namespace. A NetworkPolicy port by number admits a named port only if a generated pod declares that name on
 *   that number: the module charts' pods are not in the output, so a name must be admitted by name.
 * - W06: every ConfigMap and Secret a generated pod mounts or reads (volumes, projected sources, env, envFrom,
 *   imagePullSecrets; optional references excepted) is in the output in the pod's namespace (a ConfigMap or Secret,
 *   or the target of an ExternalSecret), or declared an external prerequisite on the pod
 *   (`lifecycle.inopsio.io/prerequisites`, src/model/wiring-annotations.ts).
 */
import { atDoc, list } from './common';
import { injectsVaultAgent, unescapeHelmName, VAULT_AGENT_ANNOTATION, vaultAnnotationsOfParameters } from '../../model/vault-agent-annotations';
import { PREREQUISITES_ANNOTATION, parsePrerequisites, SCRAPER_NAMESPACE_ANNOTATION } from '../../model/wiring-annotations';
import { KubernetesDocument, TerraformResource } from '../contents';
import { containersOf, PolicyContext, PolicyRule, ref, rule, selects } from '../rule';
import { PolicySeverity, PolicyTarget } from '../types';

const ANNOTATION = VAULT_AGENT_ANNOTATION;
/** The injector's default when a pod names no auth path. */
const DEFAULT_AUTH_PATH = 'auth/kubernetes';
/** Audiences of the API server's default pod token (what the agent presents without a projected token volume). */
const API_SERVER_AUDIENCE = /^https:\/\/kubernetes\.default\.svc(\.|$)/;
/** The Helm value that names a chart's service account (`helm create`'s convention, the library's default key). */
const SERVICE_ACCOUNT_VALUE = /(?:^|\.)serviceAccount\.name$|(?:^|\.)serviceAccountName$/;

/** One workload that logs in to Vault with a Kubernetes auth role. */
export interface VaultLogin {
  readonly environment: string;
  /** How findings name the workload (`prod/CronJob/prod-acme/backup-acme`, a Terraform construct path). */
  readonly resource: string;
  readonly file: string;
  /** Where its role annotation is (`spec.jobTemplate.spec.template.metadata.annotations["vault.hashicorp.com/role"]`, `set[3]`...). */
  readonly field: string;
  /** Where its token volume annotation is, or would be. */
  readonly tokenField: string;
  /** How messages name the kind of workload. */
  readonly kind: string;
  readonly namespace: string | undefined;
  /** Undefined when the workload names none (a Helm chart then picks its own). */
  readonly serviceAccount: string | undefined;
  readonly role: string;
  readonly authPath: string;
  /** The projected token volume the agent logs in with; undefined for the pod's default token. */
  readonly tokenVolume: string | undefined;
  /** Audiences of that volume's service account tokens; undefined when the workload has no such volume. */
  readonly tokenAudiences: string[] | undefined;
  /** The pod's `vault.hashicorp.com/*` annotations (W08 reads the secret paths from them). */
  readonly annotations: { readonly [key: string]: string };
}

/** A Kubernetes auth role of a stack, with its mount resolved. */
interface AuthRole {
  readonly resource: TerraformResource;
  readonly mount: string | undefined;
}

function authPathOf(annotations: { [key: string]: string }): string {
  return String(annotations[`${ANNOTATION}auth-path`] ?? DEFAULT_AUTH_PATH).replace(/^\/+|\/+$/g, '');
}

/** Logins of pod templates of the Kubernetes output. */
function podLogins(ctx: PolicyContext): VaultLogin[] {
  const out: VaultLogin[] = [];
  for (const t of ctx.podTemplates) {
    const role = t.annotations[`${ANNOTATION}role`];
    if (typeof role !== 'string' || !injectsVaultAgent(t.annotations)) continue;
    const tokenVolume = t.annotations[`${ANNOTATION}agent-service-account-token-volume-name`] || undefined;
    const volume = tokenVolume === undefined ? undefined : list(t.spec?.volumes).find((v: any) => v?.name === tokenVolume);
    out.push({
      environment: t.doc.environment,
      resource: t.doc.resource,
      file: t.doc.file,
      field: `${t.path.replace(/\.spec$/, '')}.metadata.annotations["${ANNOTATION}role"]`,
      tokenField: `${t.path.replace(/\.spec$/, '')}.metadata.annotations["${ANNOTATION}agent-service-account-token-volume-name"]`,
      kind: t.doc.kind,
      namespace: t.doc.namespace,
      serviceAccount: String(t.spec?.serviceAccountName ?? t.spec?.serviceAccount ?? 'default'),
      role,
      authPath: authPathOf(t.annotations),
      tokenVolume,
      tokenAudiences: volume === undefined ? undefined : list(volume?.projected?.sources)
        .filter((s: any) => s?.serviceAccountToken)
        .map((s: any) => String(s.serviceAccountToken.audience ?? '')),
      annotations: t.annotations,
    });
  }
  return out;
}

/** A login from Helm parameters (`helm_release.set`, Argo CD `helm.parameters`), if they log in to Vault. */
function parameterLogin(at: Omit<VaultLogin, 'field' | 'tokenField' | 'serviceAccount' | 'role' | 'authPath' | 'tokenVolume' | 'tokenAudiences' | 'annotations'>, field: string, parameters: any[]): VaultLogin | undefined {
  const values = new Map<string, string>();
  const index = new Map<string, number>();
  parameters.forEach((p, i) => {
    if (typeof p?.name !== 'string') return;
    values.set(unescapeHelmName(p.name), String(p.value ?? ''));
    index.set(unescapeHelmName(p.name), i);
  });
  const at2 = (suffix: string) => {
    const name = [...index.keys()].find(n => n.endsWith(`.${ANNOTATION}${suffix}`));
    return name === undefined ? `${field} (no ${ANNOTATION}${suffix})` : `${field}[${index.get(name)}] (${name})`;
  };
  // The pod annotations value may be under any key (SecretDeliveryOptions.podAnnotationsKey): found by the annotation.
  const annotations = vaultAnnotationsOfParameters(parameters);
  const role = annotations[`${ANNOTATION}role`];
  if (role === undefined || !injectsVaultAgent(annotations)) return undefined;
  const serviceAccount = [...values.entries()].find(([name]) => SERVICE_ACCOUNT_VALUE.test(name))?.[1];
  const tokenVolume = annotations[`${ANNOTATION}agent-service-account-token-volume-name`] || undefined;
  let tokenAudiences: string[] | undefined;
  if (tokenVolume !== undefined) {
    for (const [name, value] of values) {
      const m = /^(.*\[\d+\])\.name$/.exec(name);
      if (!m || value !== tokenVolume) continue;
      const prefix = `${m[1]}.projected.sources[`;
      tokenAudiences = [...values.entries()]
        .filter(([n]) => n.startsWith(prefix) && n.endsWith('].serviceAccountToken.audience'))
        .map(([, v]) => v);
    }
  }
  return { ...at, field: at2('role'), tokenField: at2('agent-service-account-token-volume-name'), serviceAccount, role, authPath: authPathOf(annotations), tokenVolume, tokenAudiences, annotations };
}

/** Logins of module releases (Terraform `helm_release`) and Argo CD Applications. */
function releaseLogins(ctx: PolicyContext): VaultLogin[] {
  const out: VaultLogin[] = [];
  for (const r of ctx.tf('helm_release')) {
    const login = parameterLogin({ environment: r.environment, resource: r.resource, file: r.file, kind: 'helm_release', namespace: r.body?.namespace }, 'set', list(r.body?.set));
    if (login) out.push(login);
  }
  for (const d of ctx.kind('Application')) {
    const sources = [d.doc?.spec?.source, ...list(d.doc?.spec?.sources)].filter(s => s && typeof s === 'object');
    sources.forEach((s: any, i: number) => {
      const field = d.doc?.spec?.source === s ? 'spec.source.helm.parameters' : `spec.sources[${i - (d.doc?.spec?.source ? 1 : 0)}].helm.parameters`;
      const login = parameterLogin({ ...atDoc(d), environment: d.environment, kind: 'Application', namespace: d.doc?.spec?.destination?.namespace }, field, list(s.helm?.parameters));
      if (login) out.push(login);
    });
  }
  return out;
}

/** Every workload of the output that logs in to Vault with a Kubernetes auth role. */
export function vaultLogins(ctx: PolicyContext): VaultLogin[] {
  return ctx.memo('wiring-vault-logins', () => [...podLogins(ctx), ...releaseLogins(ctx)]);
}

/** The Kubernetes auth roles of an environment's stacks, by `<mount>/<role>`. */
function authRoles(ctx: PolicyContext): Map<string, AuthRole[]> {
  return ctx.memo('wiring-auth-roles', () => {
    const mounts = new Map<string, string>();
    for (const b of ctx.tf('vault_auth_backend')) {
      if (typeof b.body?.path === 'string') mounts.set(`${b.environment}/${b.name}`, b.body.path.replace(/^\/+|\/+$/g, ''));
    }
    const byKey = new Map<string, AuthRole[]>();
    for (const r of ctx.tf('vault_kubernetes_auth_backend_role')) {
      const backend = String(r.body?.backend ?? 'kubernetes');
      const m = /^\$\{vault_auth_backend\.([^.}]+)\.(?:path|id)\}$/.exec(backend);
      const mount = m ? mounts.get(`${r.environment}/${m[1]}`) : backend.replace(/^\/+|\/+$/g, '');
      const key = `${r.environment}/${mount}/${r.body?.role_name}`;
      byKey.set(key, [...(byKey.get(key) ?? []), { resource: r, mount }]);
    }
    return byKey;
  });
}

function bound(names: unknown, value: string | undefined): boolean {
  const all = list(names).map(String);
  return all.includes('*') || (value !== undefined && all.includes(value));
}

/** A login of an environment whose stack is in the input, with the role it names (undefined: no role resolves). */
export interface ResolvedLogin {
  readonly login: VaultLogin;
  readonly role: TerraformResource | undefined;
  /** The auth mount the login names, without `auth/`. */
  readonly mount: string;
}

/**
 * Every login of an environment with a stack in the input, its role looked up once for W03 (which reports a missing
 * role) and W04 (which checks the role's audience).
 */
export function resolvedLogins(ctx: PolicyContext): ResolvedLogin[] {
  return ctx.memo('wiring-resolved-logins', () => vaultLogins(ctx)
    .filter(l => ctx.stacks.some(s => s.environment === l.environment))
    .map(login => {
      const mount = login.authPath.replace(/^auth\//, '');
      const role = authRoles(ctx).get(`${login.environment}/${mount}/${login.role}`)?.[0]?.resource;
      return { login, role, mount };
    }));
}

const W03 = rule<ResolvedLogin>({
  id: 'W03',
  severity: PolicySeverity.ERROR,
  title: 'A workload that logs in to Vault runs as a service account its Kubernetes auth role binds',
  description: 'The role named by vault.hashicorp.com/role on the mount of vault.hashicorp.com/auth-path exists in the environment\'s Terraform stack, and its bound_service_account_names and bound_service_account_namespaces include the service account and namespace of the pod, the module release (helm_release set values) or the Argo CD Application (helm parameters); otherwise the agent\'s login is refused and the pod never starts.',
  targets: [PolicyTarget.KUBERNETES, PolicyTarget.TERRAFORM],
  references: [ref('Vault', 'Kubernetes auth method: bound_service_account_names, bound_service_account_namespaces'), ref('Vault', 'Agent injector annotations: role, auth-path')],
  subjects: resolvedLogins,
  where: ({ login: l }) => ({ resource: l.resource, file: l.file }),
  check: ({ login: l, role, mount }, report) => {
    if (!role) {
      report(l.field, `logs in with Vault role "${l.role}" at ${l.authPath}, which no vault_kubernetes_auth_backend_role of the ${l.environment} stack defines`, l.role,
        `create the role on mount ${mount} (VaultBootstrap) or name an existing role`);
      return;
    }
    const b = role.body ?? {};
    if (l.serviceAccount === undefined) {
      report(l.field, `logs in with Vault role "${l.role}" (${role.resource}) but sets no service account value (serviceAccount.name), so the chart picks one the role may not bind`, undefined,
        `set SecretDeliveryOptions.serviceAccountNameKey to the chart's service account value; the role binds ${JSON.stringify(list(b.bound_service_account_names))}`);
      return;
    }
    if (!bound(b.bound_service_account_names, l.serviceAccount) || !bound(b.bound_service_account_namespaces, l.namespace)) {
      report(l.field, `runs as service account ${l.namespace ?? '-'}/${l.serviceAccount}, which Vault role "${l.role}" (${role.resource}) does not bind (it binds ${JSON.stringify(list(b.bound_service_account_names))} in ${JSON.stringify(list(b.bound_service_account_namespaces))})`,
        `${l.namespace ?? '-'}/${l.serviceAccount}`, 'bind the role to the service account the workload runs as, or run the workload as the bound one');
    }
  },
});

const W04 = rule<ResolvedLogin>({
  id: 'W04',
  severity: PolicySeverity.ERROR,
  title: 'A workload that logs in to Vault presents a token for the audience its Kubernetes auth role requires',
  description: 'When the role sets audience, the agent must log in with a projected service account token for that audience (the volume named by vault.hashicorp.com/agent-service-account-token-volume-name, mounted in the pod or set in the chart\'s volumes value); the pod\'s default token is for the API server\'s audience.',
  targets: [PolicyTarget.KUBERNETES, PolicyTarget.TERRAFORM],
  references: [ref('Vault', 'Kubernetes auth method: audience'), ref('Kubernetes', 'Service account token volume projection')],
  // A login whose role does not resolve is W03's finding.
  subjects: ctx => resolvedLogins(ctx).filter(r => r.role !== undefined),
  where: ({ login: l }) => ({ resource: l.resource, file: l.file }),
  check: ({ login: l, role }, report) => {
    const audience = role?.body?.audience;
    if (!role || typeof audience !== 'string' || audience === '') return;
    const field = l.tokenField;
    if (l.tokenVolume === undefined) {
      if (API_SERVER_AUDIENCE.test(audience)) return;
      report(field, `is not set, so the agent presents the pod's default token (the API server's audience), but Vault role "${l.role}" (${role.resource}) requires audience "${audience}"`, undefined,
        `mount a projected service account token for "${audience}" and name it in ${ANNOTATION}agent-service-account-token-volume-name`);
    } else if (l.tokenAudiences === undefined) {
      report(field, `names token volume "${l.tokenVolume}", which the ${l.kind} does not define, so Vault role "${l.role}" (${role.resource}) never gets a token for audience "${audience}"`, l.tokenVolume,
        `add a projected serviceAccountToken volume "${l.tokenVolume}" with audience "${audience}"`);
    } else if (!l.tokenAudiences.includes(audience)) {
      report(field, `presents a token of volume "${l.tokenVolume}" for audience ${JSON.stringify(l.tokenAudiences)}, but Vault role "${l.role}" (${role.resource}) requires audience "${audience}"`, l.tokenAudiences,
        'use the same audience on both sides (Environment vaultTokenAudience)');
    }
  },
});

const DEFAULT_SCRAPER_NAMESPACE = 'monitoring';

/** The number a generated pod of a namespace declares for a container port name, if any. */
function containerPortNumber(ctx: PolicyContext, environment: string, namespace: string, name: string): number | undefined {
  for (const t of ctx.templatesIn(environment, namespace)) {
    for (const c of containersOf(t)) {
      const p = list(c.container?.ports).find((x: any) => x?.name === name && typeof x?.containerPort === 'number');
      if (p) return p.containerPort;
    }
  }
  return undefined;
}

function ingressTypes(np: KubernetesDocument): boolean {
  const declared = list(np.doc?.spec?.policyTypes);
  return declared.length === 0 || declared.includes('Ingress');
}

/** Does an ingress peer admit traffic from any pod of a namespace? */
function peerAdmits(peer: any, namespace: string): boolean {
  if (!peer || typeof peer !== 'object' || peer.ipBlock) return false;
  // A peer with only a podSelector means pods of the policy's own namespace.
  if (peer.namespaceSelector === undefined) return false;
  return selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': namespace });
}

function portText(p: any): string {
  const proto = p?.protocol ?? 'TCP';
  if (p?.port === undefined) return `${proto} any port`;
  return `${proto} ${p.port}${p.endPort !== undefined ? `-${p.endPort}` : ''}`;
}

interface ScrapeEndpoint {
  readonly doc: KubernetesDocument;
  readonly field: string;
  readonly port: string | number;
  readonly scraper: string;
  readonly namespace: string;
  readonly selector: any;
}

function scrapeEndpoints(ctx: PolicyContext): ScrapeEndpoint[] {
  const out: ScrapeEndpoint[] = [];
  for (const d of ctx.kind('PodMonitor', 'ServiceMonitor')) {
    const spec = d.doc?.spec ?? {};
    const scraper = String(d.doc?.metadata?.annotations?.[SCRAPER_NAMESPACE_ANNOTATION] ?? DEFAULT_SCRAPER_NAMESPACE);
    const names = list(spec.namespaceSelector?.matchNames).map(String);
    const namespaces = spec.namespaceSelector?.any === true
      ? ctx.tenantNamespaces.filter(n => n.environment === d.environment).map(n => n.name)
      : names.length > 0 ? names : d.namespace !== undefined ? [d.namespace] : [];
    const key = d.kind === 'PodMonitor' ? 'podMetricsEndpoints' : 'endpoints';
    list(spec[key]).forEach((e: any, i: number) => {
      const which = e?.port !== undefined ? 'port' : 'targetPort';
      const port = e?.[which];
      if (typeof port !== 'string' && typeof port !== 'number') return;
      for (const namespace of namespaces) {
        out.push({ doc: d, field: `spec.${key}[${i}].${which}`, port, scraper, namespace, selector: spec.selector });
      }
    });
  }
  return out;
}

const W05 = rule<ScrapeEndpoint>({
  id: 'W05',
  severity: PolicySeverity.ERROR,
  title: 'Every port a PodMonitor or ServiceMonitor scrapes is admitted by the NetworkPolicies of the scraped namespace',
  description: 'Prometheus scrapes from its own namespace (lifecycle.inopsio.io/scraper-namespace, default monitoring); when NetworkPolicies isolate the scraped pods for ingress, one of them must admit that namespace on the scraped port. A port by number admits a named port only where a generated pod declares that name on that number, so a port the monitors scrape by name is admitted by name.',
  targets: [PolicyTarget.KUBERNETES],
  references: [ref('Kubernetes', 'NetworkPolicy: ports by name or number'), ref('Prometheus Operator', 'PodMonitor podMetricsEndpoints.port')],
  subjects: ctx => ctx.memo('wiring-scrape-endpoints', () => scrapeEndpoints(ctx)),
  where: e => atDoc(e.doc),
  check: (e, report, ctx) => {
    const podLabels: { [key: string]: string } = { ...(e.selector?.matchLabels ?? {}) };
    const isolating = ctx.inNamespace(e.doc.environment, e.namespace)
      .filter(np => np.kind === 'NetworkPolicy' && ingressTypes(np) && selects(np.doc?.spec?.podSelector, podLabels));
    if (isolating.length === 0) return;
    const number = typeof e.port === 'number' ? e.port : containerPortNumber(ctx, e.doc.environment, e.namespace, e.port);
    const admitted: string[] = [];
    for (const np of isolating) {
      for (const r of list(np.doc?.spec?.ingress)) {
        const from = list(r?.from);
        if (from.length > 0 && !from.some(peer => peerAdmits(peer, e.scraper))) continue;
        const ports = list(r?.ports);
        if (ports.length === 0) return;
        for (const p of ports) {
          if ((p?.protocol ?? 'TCP') !== 'TCP') continue;
          const ok = p?.port === undefined || p.port === e.port
            || (typeof p.port === 'number' && number !== undefined && number >= p.port && number <= (typeof p.endPort === 'number' ? p.endPort : p.port));
          if (ok) return;
          admitted.push(`${portText(p)} (${np.name})`);
        }
      }
    }
    const what = admitted.length > 0 ? `they admit from ${e.scraper} only ${admitted.join(', ')}` : `none admits ${e.scraper}`;
    const why = typeof e.port === 'string' && number === undefined ? '; no generated pod declares that name on a number they admit' : '';
    report(e.field, `scrapes port ${JSON.stringify(e.port)} of namespace ${e.namespace} from namespace ${e.scraper}, which the NetworkPolicies of ${e.namespace} (${isolating.map(n => n.name).join(', ')}) do not admit: ${what}${why}`, e.port,
      typeof e.port === 'string' ? `admit port "${e.port}" by name from ${e.scraper} (TenantNetworkProps.metricsPortName) or scrape a port the policy admits` : `admit TCP ${e.port} from ${e.scraper}`);
  },
});

/** One reference from a pod template to a ConfigMap or Secret of its namespace. */
interface ObjectRef {
  readonly field: string;
  readonly kind: 'configmap' | 'secret';
  readonly name: string;
}

/** The non-optional ConfigMap and Secret references of a pod spec, with their paths. */
function objectRefs(path: string, spec: any): ObjectRef[] {
  const out: ObjectRef[] = [];
  const add = (field: string, kind: 'configmap' | 'secret', source: any, key: string) => {
    if (source && typeof source === 'object' && source.optional !== true && typeof source[key] === 'string') out.push({ field: `${field}.${key}`, kind, name: source[key] });
  };
  list(spec?.volumes).forEach((v: any, i: number) => {
    add(`${path}.volumes[${i}].configMap`, 'configmap', v?.configMap, 'name');
    add(`${path}.volumes[${i}].secret`, 'secret', v?.secret, 'secretName');
    list(v?.projected?.sources).forEach((src: any, j: number) => {
      add(`${path}.volumes[${i}].projected.sources[${j}].configMap`, 'configmap', src?.configMap, 'name');
      add(`${path}.volumes[${i}].projected.sources[${j}].secret`, 'secret', src?.secret, 'name');
    });
  });
  for (const group of ['initContainers', 'containers', 'ephemeralContainers']) {
    list(spec?.[group]).forEach((c: any, i: number) => {
      const at = `${path}.${group}[${i}]`;
      list(c?.env).forEach((e: any, j: number) => {
        add(`${at}.env[${j}].valueFrom.configMapKeyRef`, 'configmap', e?.valueFrom?.configMapKeyRef, 'name');
        add(`${at}.env[${j}].valueFrom.secretKeyRef`, 'secret', e?.valueFrom?.secretKeyRef, 'name');
      });
      list(c?.envFrom).forEach((e: any, j: number) => {
        add(`${at}.envFrom[${j}].configMapRef`, 'configmap', e?.configMapRef, 'name');
        add(`${at}.envFrom[${j}].secretRef`, 'secret', e?.secretRef, 'name');
      });
    });
  }
  list(spec?.imagePullSecrets).forEach((s: any, i: number) => add(`${path}.imagePullSecrets[${i}]`, 'secret', s, 'name'));
  return out;
}

/** `<env>/<namespace>/<kind>/<name>` of every ConfigMap and Secret the output creates (ExternalSecret targets too). */
function generatedObjects(ctx: PolicyContext): Set<string> {
  return ctx.memo('wiring-generated-objects', () => {
    const out = new Set<string>();
    for (const d of ctx.kind('ConfigMap')) out.add(`${d.environment}/${d.namespace}/configmap/${d.name}`);
    for (const d of ctx.kind('Secret')) out.add(`${d.environment}/${d.namespace}/secret/${d.name}`);
    for (const d of ctx.kind('ExternalSecret')) out.add(`${d.environment}/${d.namespace}/secret/${d.doc?.spec?.target?.name ?? d.name}`);
    return out;
  });
}

const KIND_NAME = { configmap: 'ConfigMap', secret: 'Secret' } as const;

const W06 = rule<ReturnType<PolicyContext['templatesIn']>[number]>({
  id: 'W06',
  severity: PolicySeverity.ERROR,
  title: 'Every ConfigMap and Secret a generated pod references is generated too, or declared an external prerequisite',
  description: 'A pod whose volume, env or envFrom names a ConfigMap or Secret that does not exist stays in ContainerCreating (or CreateContainerConfigError); the object is in the output in the pod\'s namespace (ConfigMap, Secret, or ExternalSecret target), or the pod declares it in lifecycle.inopsio.io/prerequisites and docs/outputs.md lists it. Optional references are exempt.',
  targets: [PolicyTarget.KUBERNETES],
  references: [ref('Kubernetes', 'ConfigMaps and Secrets as volumes and environment: optional references'), ref('Spec', '§3 Provisioning: prerequisites stated')],
  subjects: ctx => [...ctx.podTemplates],
  where: t => atDoc(t.doc),
  check: (t, report, ctx) => {
    const declared = new Set([
      ...parsePrerequisites(t.annotations[PREREQUISITES_ANNOTATION]),
      ...parsePrerequisites(t.doc.doc?.metadata?.annotations?.[PREREQUISITES_ANNOTATION]),
    ].map(r => `${r.kind}/${r.name}`));
    const generated = generatedObjects(ctx);
    for (const r of objectRefs(t.path, t.spec)) {
      if (generated.has(`${t.doc.environment}/${t.doc.namespace}/${r.kind}/${r.name}`) || declared.has(`${r.kind}/${r.name}`)) continue;
      if (CLUSTER_PROVIDED.has(`${r.kind}/${r.name}`)) continue;
      report(r.field, `references ${KIND_NAME[r.kind]} "${r.name}", which is neither in the output of namespace ${t.doc.namespace ?? '-'} nor declared a prerequisite of the ${t.doc.kind} (${PREREQUISITES_ANNOTATION})`, r.name,
        `generate the ${KIND_NAME[r.kind]}, or declare "${r.kind}/${r.name}" in the pod template's ${PREREQUISITES_ANNOTATION} annotation and list it in docs/outputs.md`);
    }
  },
});

/**
 * Objects Kubernetes itself puts in every namespace: the root CA bundle the kube-controller-manager's root-ca-cert
 * publisher writes (`kube-root-ca.crt`, every namespace since 1.20; projected service-account token volumes read it).
 */
const CLUSTER_PROVIDED = new Set(['configmap/kube-root-ca.crt']);

/** W03, W04, W05, W06. */
export const WIRING_RULES: PolicyRule[] = [W03, W04, W05, W06];


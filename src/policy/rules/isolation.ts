/**
 * K49–K52: tenant isolation beyond the namespace (issue 21): Ingress hosts tied to their tenant, production Argo CD
 * Applications tied to their tenant's project, Argo CD's `default` project locked, and no database network shared by
 * production and non-production environments.
 */
import { BlockList, IPVersion, isIP } from 'net';
import { atDoc, K8S, list } from './common';
import { argoCdProjectName } from '../../model/names';
import { DATABASE_EGRESS_ANNOTATION, parseDatabaseEgress } from '../../model/wiring-annotations';
import { KubernetesDocument } from '../contents';
import { NSA, PolicyContext, PolicyRule, ref, rule, selects } from '../rule';
import { PolicySeverity } from '../types';

/** Does an admission rule match CREATE and UPDATE of `resource` in `group`? */
export function coversWrites(r: any, group: string, resource: string): boolean {
  const has = (key: string, value: string) => list(r?.[key]).includes(value) || list(r?.[key]).includes('*');
  return has('apiGroups', group) && (has('resources', resource) || list(r?.resources).includes('*/*')) && has('operations', 'CREATE') && has('operations', 'UPDATE');
}

/**
 * The enforced ValidatingAdmissionPolicies of an environment that match writes of `resource` in namespaces with
 * `namespaceLabels` (when given) and whose validations contain every one of `mentions`: failurePolicy not Ignore,
 * bound with a Deny action.
 */
export function enforcedGuards(ctx: PolicyContext, environment: string, group: string, resource: string,
  mentions: string[], namespaceLabels?: { [k: string]: string }): KubernetesDocument[] {
  const bindings = ctx.kind('ValidatingAdmissionPolicyBinding').filter(b => b.environment === environment);
  return ctx.kind('ValidatingAdmissionPolicy').filter(p => p.environment === environment).filter(p => {
    const spec = p.doc.spec ?? {};
    const mc = spec.matchConstraints ?? {};
    const expressions = [...list(spec.validations).map((v: any) => String(v?.expression ?? '')), ...list(spec.variables).map((v: any) => String(v?.expression ?? ''))].join('\n');
    return spec.failurePolicy !== 'Ignore'
      && (namespaceLabels === undefined || mc.namespaceSelector === undefined || selects(mc.namespaceSelector, namespaceLabels))
      && list(mc.resourceRules).some(r => coversWrites(r, group, resource))
      && mentions.every(m => expressions.includes(m))
      && bindings.some(b => b.doc.spec?.policyName === p.name && list(b.doc.spec?.validationActions).includes('Deny'));
  });
}

const K49 = rule<KubernetesDocument>({
  id: 'K49',
  severity: PolicySeverity.ERROR,
  title: 'Tenant namespaces refuse Ingresses on hosts that are not the tenant\'s own, host-less rules and default backends (an enforced ValidatingAdmissionPolicy)',
  description: 'With one ingress controller for every tenant, an Ingress on another tenant\'s host takes over its paths; a rule without host or a defaultBackend answers for every host.',
  targets: K8S,
  references: [ref('Kubernetes', 'Ingress host collisions (multi-tenancy)'), NSA('Network separation and hardening')],
  subjects: ctx => ctx.tenantNamespaces,
  where: atDoc,
  check: (ns, report, ctx) => {
    const guards = enforcedGuards(ctx, ns.environment, 'networking.k8s.io', 'ingresses', ['defaultBackend', '.host', 'tls'], ns.doc.metadata?.labels ?? {});
    if (guards.length === 0) {
      report('Namespace', 'is not guarded by an enforced ValidatingAdmissionPolicy that ties Ingress hosts to the tenant', ns.name, 'add TenantIngressPolicy for the environment (the Platform writes it in every environment) with a Deny binding');
    }
  },
});

/** Environments whose output has Argo CD Applications: one (the first) Application each, as the subject. */
function firstApplicationPerEnvironment(ctx: PolicyContext): KubernetesDocument[] {
  const seen = new Set<string>();
  return ctx.kind('Application').filter(a => !seen.has(a.environment) && seen.add(a.environment) !== undefined);
}

const K50 = rule<KubernetesDocument>({
  id: 'K50',
  severity: PolicySeverity.ERROR,
  title: 'Argo CD Applications that deploy into a production tenant namespace must belong to that tenant\'s project (an enforced ValidatingAdmissionPolicy)',
  description: 'An Application of another tenant\'s project, or of the default project, would sync its own repositories into this tenant\'s namespace; the AppProject only limits Applications that name it.',
  targets: K8S,
  references: [ref('Argo CD', 'Projects: restricting destinations'), ref('Spec', '§1 Immutable Infrastructure')],
  subjects: ctx => (firstApplicationPerEnvironment(ctx).length === 0 ? []
    : ctx.tenantNamespaces.filter(ns => ctx.facts(ns.environment).production && ctx.kind('Application').some(a => a.environment === ns.environment))),
  where: atDoc,
  check: (ns, report, ctx) => {
    const tenant = String(ns.doc.metadata?.labels?.tenant ?? '');
    const entry = `'${ns.name}': '${argoCdProjectName(ns.environment, tenant)}'`;
    if (enforcedGuards(ctx, ns.environment, 'argoproj.io', 'applications', ['object.spec.project', entry]).length === 0) {
      report('Namespace', 'is not guarded by an enforced ValidatingAdmissionPolicy that binds Argo CD Applications deploying into it to its project', ns.name,
        `add ArgoCdProjectGuard for the environment (the Platform writes it where Argo CD upgrades) mapping ${entry}`);
    }
  },
});

const K51 = rule<KubernetesDocument>({
  id: 'K51',
  severity: PolicySeverity.ERROR,
  title: 'Where Argo CD deploys, its default AppProject is locked: no source repositories, no destinations, no resource kinds',
  description: 'Every Application without a project falls into default, which out of the box allows every repository, cluster, namespace and kind.',
  targets: K8S,
  references: [ref('Argo CD', 'Projects: the default project')],
  subjects: ctx => firstApplicationPerEnvironment(ctx),
  where: atDoc,
  check: (_app, report, ctx) => {
    // Argo CD has one default project: the platform writes it with one environment (its first that uses Argo CD).
    const def = ctx.kind('AppProject').find(p => p.name === 'default');
    if (!def) {
      report('AppProject default', 'is not in the output, so Argo CD\'s built-in default project allows everything', undefined, 'add ArgoCdProjectGuard (it writes the default project locked)');
      return;
    }
    const spec = def.doc.spec ?? {};
    for (const field of ['sourceRepos', 'destinations', 'clusterResourceWhitelist']) {
      if (list(spec[field]).length > 0) report(`AppProject default spec.${field}`, 'is not empty', spec[field], `set ${field}: []`);
    }
    const ns = list(spec.namespaceResourceWhitelist);
    if (ns.length === 0 || ns.some((k: any) => k?.kind === '*' || k?.group === '*')) {
      report('AppProject default spec.namespaceResourceWhitelist', 'admits every namespaced kind (an empty list means all)', spec.namespaceResourceWhitelist, 'set it to [{ group: \'\', kind: \'\' }]');
    }
  },
});

/** One database peer of a NetworkPolicy: a CIDR block or the pods of a namespace. */
interface DatabasePeer {
  readonly kind: 'cidr' | 'pods';
  readonly value: string;
}

/**
 * Do two peers reach the same addresses? Pods of one namespace; or CIDR blocks that overlap (either network address
 * lies in the other block), checked with Node's own `net.BlockList` rather than hand-written address arithmetic.
 */
function overlaps(a: DatabasePeer, b: DatabasePeer): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'pods') return a.value === b.value;
  const parse = (c: string) => {
    const [address, bits] = c.split('/');
    const family = isIP(address);
    return family === 0 ? undefined : { address, prefix: bits === undefined ? (family === 4 ? 32 : 128) : Number(bits), type: (family === 4 ? 'ipv4' : 'ipv6') as IPVersion };
  };
  const x = parse(a.value);
  const y = parse(b.value);
  if (!x || !y || x.type !== y.type) return a.value === b.value;
  const contains = (outer: typeof x, inner: typeof x) => {
    const blocks = new BlockList();
    blocks.addSubnet(outer.address, outer.prefix, outer.type);
    return blocks.check(inner.address, inner.type);
  };
  return contains(x, y) || contains(y, x);
}

/**
 * Production and the long-lived environments that mirror it (staging: same class rules, parity, backups, immutable)
 * are one side; development and previews, which run branch code and give tenant groups write access, the other. The
 * reference platform gives dev and previews their own database and lets staging share production's server (its
 * restore drills and parity need production's setup); a platform that separates staging too passes as well.
 */
function productionSide(ctx: PolicyContext, environment: string): boolean {
  const facts = ctx.facts(environment);
  return facts.longLived ?? facts.production;
}

const K52 = rule<KubernetesDocument>({
  id: 'K52',
  severity: PolicySeverity.ERROR,
  title: 'Development and preview environments do not share a database network with production (or staging, its mirror): no database egress of theirs reaches one of production\'s',
  description: 'With one database CIDR admitted everywhere, a dev or preview pod, running branch code under a tenant group with write access, reaches the server production\'s data lives on; each such environment\'s network names its own (PlatformProps.environmentNetworks).',
  targets: K8S,
  references: [ref('Issue 21', 'path 6: database reach crosses environments'), NSA('Network separation and hardening')],
  subjects: ctx => ctx.kind('NetworkPolicy').filter(np => !productionSide(ctx, np.environment) && np.doc.metadata?.annotations?.[DATABASE_EGRESS_ANNOTATION] !== undefined),
  where: atDoc,
  check: (np, report, ctx) => {
    const production = ctx.memo('k52-production', () => ctx.kind('NetworkPolicy')
      .filter(p => productionSide(ctx, p.environment))
      .flatMap(p => parseDatabaseEgress(p.doc.metadata?.annotations?.[DATABASE_EGRESS_ANNOTATION]).map(peer => ({ peer, env: p.environment }))));
    for (const peer of parseDatabaseEgress(np.doc.metadata?.annotations?.[DATABASE_EGRESS_ANNOTATION])) {
      const shared = production.filter(p => overlaps(peer, p.peer));
      if (shared.length > 0) {
        const envs = [...new Set(shared.map(s => s.env))].sort().join(', ');
        report(`metadata.annotations["${DATABASE_EGRESS_ANNOTATION}"]`, `admits a database that a production-side environment (${envs}) also reaches`, `${peer.kind}:${peer.value}`,
          `give environment ${np.environment} its own database target (PlatformProps.environmentNetworks.${np.environment}.database)`);
      }
    }
  },
});

/** K49–K52. */
export const ISOLATION_RULES: PolicyRule[] = [K49, K50, K51, K52];

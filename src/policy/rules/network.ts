/**
 * K05–K07: default-deny network policies with explicit, narrow allows.
 */
import { atDoc, K8S, list } from './common';
import { enforcedGuards } from './isolation';
import { KubernetesDocument } from '../contents';
import { CIS, isEmptySelector, KUBE_LINTER, KUBE_SCORE, NSA, PolicyContext, PolicyRule, POLARIS, ref, rule, selects } from '../rule';
import { PolicySeverity } from '../types';

function policiesIn(ctx: PolicyContext, ns: KubernetesDocument): KubernetesDocument[] {
  return ctx.inNamespace(ns.environment, ns.name).filter(d => d.kind === 'NetworkPolicy');
}

function types(np: KubernetesDocument): string[] {
  const declared = list(np.doc.spec?.policyTypes);
  if (declared.length > 0) return declared;
  // The API server's default: Ingress, plus Egress when egress rules are given.
  return np.doc.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

const K05 = rule<KubernetesDocument>({
  id: 'K05',
  severity: PolicySeverity.ERROR,
  title: 'Every tenant namespace has a default-deny NetworkPolicy for Ingress and Egress',
  description: 'Without a policy selecting every pod in both directions, pods accept and open any connection; allows are only meaningful on top of a deny.',
  targets: K8S,
  references: [CIS('5.3.2'), NSA('Network separation and hardening'), KUBE_SCORE('pod-networkpolicy'), POLARIS('missingNetworkPolicy'), KUBE_LINTER('non-isolated-pod')],
  subjects: ctx => ctx.tenantNamespaces,
  where: atDoc,
  check: (ns, report, ctx) => {
    const denies = policiesIn(ctx, ns).filter(np => isEmptySelector(np.doc.spec?.podSelector));
    for (const direction of ['Ingress', 'Egress']) {
      const rulesKey = direction === 'Ingress' ? 'ingress' : 'egress';
      const ok = denies.some(np => types(np).includes(direction) && list(np.doc.spec?.[rulesKey]).length === 0);
      if (!ok) {
        report('NetworkPolicy', `has no default deny for ${direction}`, denies.map(d => d.name), `add a policy with podSelector: {} and policyTypes [${direction}] without ${rulesKey} rules (TenantNamespace's default-deny)`);
      }
    }
  },
});

function isKubeDnsPeer(peer: any): boolean {
  const nsSel = peer?.namespaceSelector;
  const podSel = peer?.podSelector;
  return nsSel !== undefined && !isEmptySelector(nsSel) && selects(nsSel, { 'kubernetes.io/metadata.name': 'kube-system' })
    && podSel !== undefined && !isEmptySelector(podSel) && (selects(podSel, { 'k8s-app': 'kube-dns' }));
}

function portsOf(r: any): Array<{ protocol: string; port: unknown }> {
  return list(r?.ports).map((p: any) => ({ protocol: p?.protocol ?? 'TCP', port: p?.port }));
}

const K06 = rule<KubernetesDocument>({
  id: 'K06',
  severity: PolicySeverity.ERROR,
  title: 'Tenant pods may resolve names: egress to kube-dns on UDP and TCP 53, and DNS only to kube-dns',
  description: 'Under a default deny, DNS must be allowed explicitly (TCP for large answers); DNS to any other resolver is an exfiltration channel.',
  targets: K8S,
  references: [NSA('Network separation and hardening'), CIS('5.3.2')],
  subjects: ctx => ctx.tenantNamespaces,
  where: atDoc,
  check: (ns, report, ctx) => {
    const found = new Set<string>();
    policiesIn(ctx, ns).forEach(np => {
      list(np.doc.spec?.egress).forEach((r: any, i: number) => {
        const peers = list(r?.to);
        for (const p of portsOf(r).filter(x => x.port === 53 || x.port === 'dns' || x.port === 'dns-tcp')) {
          if (peers.length > 0 && peers.every(isKubeDnsPeer)) {
            if (isEmptySelector(np.doc.spec?.podSelector)) found.add(p.protocol);
          } else {
            report(`NetworkPolicy ${np.name} spec.egress[${i}].to`, 'allows DNS to something other than kube-dns', r?.to ?? 'anywhere', 'send DNS only to namespace kube-system, pods k8s-app=kube-dns');
          }
        }
      });
    });
    for (const protocol of ['UDP', 'TCP']) {
      if (!found.has(protocol)) {
        report('NetworkPolicy', `allows no DNS over ${protocol} to kube-dns for every pod`, [...found].sort(), 'allow egress to kube-system/k8s-app=kube-dns on UDP and TCP 53 for podSelector: {}');
      }
    }
  },
});

const CIDR = /^([0-9.]+|[0-9a-fA-F:]+)\/(\d{1,3})$/;

const K07 = rule<KubernetesDocument>({
  id: 'K07',
  severity: PolicySeverity.ERROR,
  title: 'No unrestricted NetworkPolicy peers (0.0.0.0/0, ::/0, every namespace, rules without from/to) and every policy selects pods that exist',
  description: 'One rule open to everything undoes the default deny; a policy whose selector matches no pod protects nothing and usually means a label drifted.',
  targets: K8S,
  references: [NSA('Network separation and hardening'), CIS('5.3.2'), KUBE_SCORE('networkpolicy-targets-pod'), KUBE_LINTER('dangling-networkpolicy')],
  subjects: ctx => ctx.kind('NetworkPolicy'),
  where: atDoc,
  check: (np, report, ctx) => {
    for (const [key, peersKey, what] of [['ingress', 'from', 'sources'], ['egress', 'to', 'destinations']] as const) {
      list(np.doc.spec?.[key]).forEach((r: any, i: number) => {
        const peers = r?.[peersKey];
        if (!Array.isArray(peers) || peers.length === 0) {
          report(`spec.${key}[${i}].${peersKey}`, `is empty, which allows all ${what}`, peers, `name the ${what}: namespaceSelector/podSelector or a narrow ipBlock`);
          return;
        }
        peers.forEach((peer: any, j: number) => {
          const cidr = peer?.ipBlock?.cidr;
          if (typeof cidr === 'string') {
            const m = CIDR.exec(cidr);
            const prefix = m ? Number(m[2]) : -1;
            const v6 = m ? m[1].includes(':') : false;
            if (!m || prefix < (v6 ? 32 : 8)) {
              report(`spec.${key}[${i}].${peersKey}[${j}].ipBlock.cidr`, `opens ${what === 'sources' ? 'ingress' : 'egress'} to too much of the network`, cidr, 'name the subnet of the database or object store, e.g. "10.20.0.0/24" (K07)');
            }
          }
          if (peer?.namespaceSelector !== undefined && isEmptySelector(peer.namespaceSelector)) {
            report(`spec.${key}[${i}].${peersKey}[${j}].namespaceSelector`, 'selects every namespace', peer.namespaceSelector, 'select the namespace by kubernetes.io/metadata.name');
          }
        });
      });
    }
    const sel = np.doc.spec?.podSelector;
    if (!isEmptySelector(sel)) {
      const pods = ctx.templatesIn(np.environment, np.namespace);
      if (!pods.some(t => selects(sel, t.labels))) {
        report('spec.podSelector', 'selects no pod of the namespace in the synthesized output', sel, 'fix the selector to match the workload\'s pod labels, or remove the policy');
      }
    }
  },
});

const K46 = rule<KubernetesDocument>({
  id: 'K46',
  severity: PolicySeverity.ERROR,
  title: 'Tenant namespaces refuse ExternalName Services and spec.externalIPs (an enforced ValidatingAdmissionPolicy)',
  description: 'An ExternalName Service aliases another tenant\'s Service, which the ingress controller then proxies to past that tenant\'s network policies; spec.externalIPs lets kube-proxy capture traffic to any address, e.g. the database (CVE-2020-8554). The quota only zeroes LoadBalancer and NodePort.',
  targets: K8S,
  references: [ref('Kubernetes', 'CVE-2020-8554'), NSA('Network separation and hardening')],
  subjects: ctx => ctx.tenantNamespaces,
  where: atDoc,
  check: (ns, report, ctx) => {
    const guards = enforcedGuards(ctx, ns.environment, '', 'services', ['\'ExternalName\'', 'externalIPs'], ns.doc.metadata?.labels ?? {});
    if (guards.length === 0) {
      report('Namespace', 'is not guarded by an enforced ValidatingAdmissionPolicy that refuses ExternalName Services and spec.externalIPs', ns.name, 'add TenantServicePolicy for the environment (the Platform writes it in every environment) with a Deny binding');
    }
  },
});

/** The subresources whose CONNECT reaches a production process (exec, attach, port-forward, proxies). */
const CONNECT_SUBRESOURCES = ['pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy'];

/** Does an admission rule match CONNECT of this subresource of the core group? */
function coversConnect(r: any, subresource: string): boolean {
  const ops = list(r?.operations);
  const resources = list(r?.resources);
  const resource = subresource.split('/')[0];
  return (list(r?.apiGroups).includes('') || list(r?.apiGroups).includes('*'))
    && (ops.includes('CONNECT') || ops.includes('*'))
    && (resources.includes(subresource) || resources.includes(`${resource}/*`) || resources.includes('*/*'));
}

/** A `startsWith('system:serviceaccount:...')` in an exemption: every service account of a namespace (or all). */
const SERVICE_ACCOUNT_PREFIX = /startsWith\(\s*'system:serviceaccount(s)?:[^']*'\s*\)/;

const K47 = rule<KubernetesDocument>({
  id: 'K47',
  severity: PolicySeverity.ERROR,
  title: 'Immutable production also refuses CONNECT (exec, attach, port-forward, pod and service proxy) and exempts service accounts by exact name only',
  description: 'Exec or a proxy into a production pod changes nothing stored but reaches its process and data; an exemption by prefix (system:serviceaccount:kube-system:*) lets anything running in that namespace write production.',
  targets: K8S,
  references: [ref('Spec', '§1 Immutable Infrastructure'), NSA('Kubernetes Pod security: limit exec'), CIS('5.1.5')],
  subjects: ctx => ctx.kind('ValidatingAdmissionPolicy').filter(p => /^inopsio-immutable-/.test(p.name) && !p.name.endsWith('-class-label')),
  where: atDoc,
  check: (p, report) => {
    const rules = list(p.doc.spec?.matchConstraints?.resourceRules);
    const missing = CONNECT_SUBRESOURCES.filter(sub => !rules.some(r => coversConnect(r, sub)));
    if (missing.length > 0) {
      report('spec.matchConstraints.resourceRules', `do not match CONNECT of ${missing.join(', ')}`, missing, `add { apiGroups: [''], apiVersions: ['v1'], operations: ['CONNECT'], resources: ${JSON.stringify(CONNECT_SUBRESOURCES)}, scope: 'Namespaced' }`);
    }
    list(p.doc.spec?.matchConditions).forEach((mc: any, i: number) => {
      const m = SERVICE_ACCOUNT_PREFIX.exec(String(mc?.expression ?? ''));
      if (m) report(`spec.matchConditions[${i}].expression`, 'exempts service accounts by prefix', m[0], 'name each exempt controller service account exactly (CONTROL_PLANE_SERVICE_ACCOUNTS, operatorUsernames)');
    });
  },
});

const K48 = rule<KubernetesDocument>({
  id: 'K48',
  severity: PolicySeverity.ERROR,
  title: 'Ingress from another namespace names its ports; allow-ingress-controller also names the controller pods',
  description: 'An allow from a whole namespace on every port lets any pod there (an ingress controller\'s webhook, a default backend, a proxied ExternalName) reach ports the tenant never exposed.',
  targets: K8S,
  references: [NSA('Network separation and hardening'), CIS('5.3.2')],
  subjects: ctx => ctx.kind('NetworkPolicy').filter(np => ctx.tenantNamespace(np.environment, np.namespace) !== undefined),
  where: atDoc,
  check: (np, report) => {
    list(np.doc.spec?.ingress).forEach((r: any, i: number) => {
      const peers = list(r?.from);
      if (!peers.some((p: any) => p?.namespaceSelector !== undefined)) return;
      if (list(r?.ports).length === 0) {
        report(`spec.ingress[${i}].ports`, 'are not set, so pods of another namespace reach every port', r?.ports, 'list the ports the tenant\'s workloads serve to that namespace (network.ingressPorts, network.metricsPort)');
      }
      if (np.name === 'allow-ingress-controller') {
        peers.forEach((p: any, j: number) => {
          if (isEmptySelector(p?.podSelector)) {
            report(`spec.ingress[${i}].from[${j}].podSelector`, 'does not select the controller pods, so every pod of the controller\'s namespace is admitted', p?.podSelector, 'select the controller pods (network.ingressControllerPodLabels)');
          }
        });
      }
    });
  },
});

/** K05–K07, K46–K48. */
export const NETWORK_RULES: PolicyRule[] = [K05, K06, K07, K46, K47, K48];

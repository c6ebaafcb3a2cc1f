/**
 * K19–K34: service accounts, pod security, images and resources of every pod template in the output
 * (Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs), init and ephemeral containers included.
 */
import { atDoc, entries, K8S, list, quantity, quantityKindOf } from './common';
import { ContainerImage } from '../../model/image';
import { checkQuantity } from '../../model/quantity';
import { injectsVaultAgent } from '../../model/vault-agent-annotations';
import { KubernetesDocument } from '../contents';
import { CHECKOV, CIS, containersOf, ContainerRef, KUBE_LINTER, KUBE_SCORE, KUBESEC, NSA, PodTemplate, PolicyContext, PolicyRule, POLARIS, PSS, PSS_BASELINE, ref, Report, rule } from '../rule';
import { PolicySeverity } from '../types';

/** Options of the pod rules. */
export interface PodRuleOptions {
  /** Registries images may come from (K30); empty means any explicit registry. */
  readonly allowedRegistries: string[];
  /** The UID and GID workloads run as (K25). */
  readonly runAsId: number;
}

const AGENT = 'vault.hashicorp.com';

function atTemplate(t: PodTemplate): { resource: string; file: string } {
  return atDoc(t.doc);
}

function templateRule(def: {
  id: string;
  severity?: PolicySeverity;
  title: string;
  description: string;
  references: ReturnType<typeof ref>[];
  check: (t: PodTemplate, report: Report, ctx: PolicyContext) => void;
}): PolicyRule {
  return rule<PodTemplate>({
    ...def,
    severity: def.severity ?? PolicySeverity.ERROR,
    targets: K8S,
    subjects: ctx => [...ctx.podTemplates],
    where: atTemplate,
    check: def.check,
  });
}

/** Run a per-container check over every container of a template. */
function eachContainer(t: PodTemplate, fn: (c: ContainerRef) => void): void {
  for (const c of containersOf(t)) fn(c);
}

const K19 = templateRule({
  id: 'K19',
  title: 'A dedicated ServiceAccount per workload, defined in the output, never "default"',
  description: 'The default service account is shared by everything in the namespace, so whatever it is granted (Vault roles, RBAC) every pod gets.',
  references: [CIS('5.1.5'), CHECKOV('CKV_K8S_41'), KUBE_LINTER('default-service-account'), KUBE_LINTER('non-existent-service-account'), KUBESEC('ServiceAccountName')],
  check: (t, report, ctx) => {
    const sa = t.spec.serviceAccountName ?? t.spec.serviceAccount;
    if (typeof sa !== 'string' || sa === '' || sa === 'default') {
      report(`${t.path}.serviceAccountName`, 'is the namespace\'s default service account', sa, 'create a ServiceAccount for this workload and name it here');
      return;
    }
    const ns = t.doc.namespace ?? '';
    if (!ctx.inNamespace(t.doc.environment, ns).some(d => d.kind === 'ServiceAccount' && d.name === sa)) {
      report(`${t.path}.serviceAccountName`, `names no ServiceAccount of namespace ${ns} in the output`, sa, 'add the ServiceAccount to the same chart');
    }
    const app = t.labels['app.kubernetes.io/name'];
    const sharers = ctx.templatesIn(t.doc.environment, t.doc.namespace)
      .filter(o => o !== t && (o.spec.serviceAccountName ?? o.spec.serviceAccount) === sa && o.labels['app.kubernetes.io/name'] !== app);
    if (sharers.length > 0) {
      report(`${t.path}.serviceAccountName`, `is shared with other workloads (${sharers.map(o => `${o.doc.kind}/${o.doc.name}`).join(', ')})`, sa, 'give each workload its own ServiceAccount');
    }
  },
});

const K20 = rule<KubernetesDocument | PodTemplate>({
  id: 'K20',
  severity: PolicySeverity.ERROR,
  title: 'automountServiceAccountToken: false on every ServiceAccount and pod',
  description: 'A mounted API token is a credential an attacker in the pod can use; pods that need the API (or a Vault login) get a projected, audience-bound token instead.',
  targets: K8S,
  references: [CIS('5.1.6'), CHECKOV('CKV_K8S_38'), POLARIS('automountServiceAccountToken'), KUBESEC('AutomountServiceAccountToken')],
  subjects: ctx => [...ctx.kind('ServiceAccount'), ...ctx.podTemplates],
  where: s => ('path' in s && 'spec' in s && 'replicas' in s ? atDoc((s as PodTemplate).doc) : atDoc(s as KubernetesDocument)),
  check: (s, report) => {
    if ('replicas' in s) {
      const t = s as PodTemplate;
      if (t.spec.automountServiceAccountToken !== false) {
        report(`${t.path}.automountServiceAccountToken`, 'is not false', t.spec.automountServiceAccountToken, 'set automountServiceAccountToken: false; mount a projected token with an audience if the pod logs in to Vault or the API');
      }
    } else {
      const d = s as KubernetesDocument;
      if (d.doc.automountServiceAccountToken !== false) {
        report('automountServiceAccountToken', 'is not false', d.doc.automountServiceAccountToken, 'set automountServiceAccountToken: false on the ServiceAccount');
      }
    }
  },
});

const K21 = templateRule({
  id: 'K21',
  title: 'No host namespaces (hostNetwork, hostPID, hostIPC) and no hostPort',
  description: 'Host namespaces and ports reach the node and other tenants\' traffic; PSS baseline already forbids them.',
  references: [PSS_BASELINE('Host Namespaces'), PSS_BASELINE('Host Ports'), CIS('5.2.3'), CIS('5.2.4'), CIS('5.2.5'), CIS('5.2.13'), CHECKOV('CKV_K8S_17'), CHECKOV('CKV_K8S_18'), CHECKOV('CKV_K8S_19'), CHECKOV('CKV_K8S_26'), POLARIS('hostNetworkSet'), KUBESEC('HostNetwork')],
  check: (t, report) => {
    for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (t.spec[f] === true) report(`${t.path}.${f}`, 'is true', true, `remove ${f}`);
    }
    eachContainer(t, c => list(c.container.ports).forEach((p: any, i: number) => {
      if (p?.hostPort !== undefined && p.hostPort !== 0) report(`${c.path}.ports[${i}].hostPort`, 'binds a port on the node', p.hostPort, 'remove hostPort; expose the pod through a Service');
    }));
  },
});

const K22 = templateRule({
  id: 'K22',
  title: 'No privileged containers (nor host processes or unmasked /proc)',
  description: 'A privileged container is root on the node.',
  references: [PSS_BASELINE('Privileged Containers'), PSS_BASELINE('HostProcess'), PSS_BASELINE('/proc Mount Type'), CIS('5.2.2'), CHECKOV('CKV_K8S_16'), POLARIS('runAsPrivileged'), KUBESEC('Privileged')],
  check: (t, report) => {
    if (t.spec.securityContext?.windowsOptions?.hostProcess === true) report(`${t.path}.securityContext.windowsOptions.hostProcess`, 'is true', true, 'remove it');
    eachContainer(t, c => {
      const sc = c.container.securityContext ?? {};
      if (sc.privileged === true) report(`${c.path}.securityContext.privileged`, 'is true', true, 'set privileged: false');
      if (sc.procMount !== undefined && sc.procMount !== 'Default') report(`${c.path}.securityContext.procMount`, 'unmasks /proc', sc.procMount, 'remove procMount');
      if (sc.windowsOptions?.hostProcess === true) report(`${c.path}.securityContext.windowsOptions.hostProcess`, 'is true', true, 'remove it');
    });
  },
});

const K23 = templateRule({
  id: 'K23',
  title: 'allowPrivilegeEscalation: false, explicitly, on every container',
  description: 'The default is true; setuid binaries in the image can then gain privileges.',
  references: [PSS('Privilege Escalation'), CIS('5.2.6'), CHECKOV('CKV_K8S_20'), POLARIS('privilegeEscalationAllowed'), KUBESEC('AllowPrivilegeEscalation')],
  check: (t, report) => eachContainer(t, c => {
    const v = c.container.securityContext?.allowPrivilegeEscalation;
    if (v !== false) report(`${c.path}.securityContext.allowPrivilegeEscalation`, 'is not false', v, 'set allowPrivilegeEscalation: false');
  }),
});

const K24 = templateRule({
  id: 'K24',
  title: 'runAsNonRoot: true at pod and container level, never UID 0',
  description: 'Root in a container is one kernel bug away from root on the node.',
  references: [PSS('Running as Non-root'), PSS('Running as Non-root user'), CIS('5.2.7'), CHECKOV('CKV_K8S_23'), POLARIS('runAsRootAllowed'), KUBESEC('RunAsNonRoot')],
  check: (t, report) => {
    const pod = t.spec.securityContext ?? {};
    if (pod.runAsNonRoot !== true) report(`${t.path}.securityContext.runAsNonRoot`, 'is not true', pod.runAsNonRoot, 'set runAsNonRoot: true in the pod securityContext');
    if (pod.runAsUser === 0) report(`${t.path}.securityContext.runAsUser`, 'is root', 0, 'run as UID 10001');
    eachContainer(t, c => {
      const sc = c.container.securityContext ?? {};
      if (sc.runAsNonRoot !== true) report(`${c.path}.securityContext.runAsNonRoot`, 'is not true', sc.runAsNonRoot, 'set runAsNonRoot: true on the container too');
      if (sc.runAsUser === 0) report(`${c.path}.securityContext.runAsUser`, 'is root', 0, 'run as UID 10001');
    });
  },
});

function K25(o: PodRuleOptions): PolicyRule {
  return templateRule({
    id: 'K25',
    title: `Pods run as UID and GID ${o.runAsId} (and injected Vault agents too)`,
    description: 'A fixed high UID/GID matches the file permissions baked into the images and never collides with a host user.',
    references: [CHECKOV('CKV_K8S_40'), KUBE_SCORE('container-security-context-user-group-id'), KUBESEC('RunAsUser'), ref('Monokle', 'KBP104/KBP105')],
    check: (t, report) => {
      const pod = t.spec.securityContext ?? {};
      eachContainer(t, c => {
        const sc = c.container.securityContext ?? {};
        for (const f of ['runAsUser', 'runAsGroup']) {
          const v = sc[f] ?? pod[f];
          if (v !== o.runAsId) report(`${c.path}.securityContext.${f}`, `is not ${o.runAsId} (pod or container)`, v, `set ${f}: ${o.runAsId}`);
        }
      });
      if (injectsVaultAgent(t.annotations)) {
        for (const f of ['agent-run-as-user', 'agent-run-as-group']) {
          const v = t.annotations[`${AGENT}/${f}`];
          if (v !== String(o.runAsId)) report(`${t.path.replace(/\.spec$/, '')}.metadata.annotations["${AGENT}/${f}"]`, `is not "${o.runAsId}"`, v, `the injected Vault agent must run as ${o.runAsId} too`);
        }
      }
    },
  });
}

const K26 = templateRule({
  id: 'K26',
  title: 'Capabilities: drop ALL, add nothing (NET_BIND_SERVICE at most)',
  description: 'Default container capabilities include NET_RAW and others attackers use; PSS restricted requires dropping ALL.',
  references: [PSS('Capabilities'), CIS('5.2.8'), CIS('5.2.9'), CIS('5.2.10'), CHECKOV('CKV_K8S_28'), CHECKOV('CKV_K8S_37'), POLARIS('insecureCapabilities'), KUBESEC('CapDropAll')],
  check: (t, report) => eachContainer(t, c => {
    const caps = c.container.securityContext?.capabilities ?? {};
    if (!list(caps.drop).includes('ALL')) report(`${c.path}.securityContext.capabilities.drop`, 'does not drop ALL', caps.drop, 'set capabilities.drop: [ALL]');
    const added = list(caps.add).filter((a: string) => a !== 'NET_BIND_SERVICE');
    if (added.length > 0) report(`${c.path}.securityContext.capabilities.add`, 'adds capabilities', added, 'remove them');
  }),
});

const K27 = templateRule({
  id: 'K27',
  title: 'seccompProfile RuntimeDefault (or Localhost) for every container, never Unconfined',
  description: 'Without a seccomp profile every syscall is available to a compromised process.',
  references: [PSS('Seccomp'), CIS('5.7.2'), CHECKOV('CKV_K8S_31'), KUBE_SCORE('container-seccomp-profile'), KUBESEC('SeccompUnconfined')],
  check: (t, report) => {
    const ok = (p: any) => p?.type === 'RuntimeDefault' || p?.type === 'Localhost';
    const pod = t.spec.securityContext?.seccompProfile;
    if (pod !== undefined && !ok(pod)) report(`${t.path}.securityContext.seccompProfile.type`, 'is not RuntimeDefault or Localhost', pod?.type, 'set seccompProfile.type: RuntimeDefault');
    eachContainer(t, c => {
      const own = c.container.securityContext?.seccompProfile;
      if (own !== undefined ? !ok(own) : !ok(pod)) {
        report(`${c.path}.securityContext.seccompProfile.type`, 'is not RuntimeDefault or Localhost (container or pod)', own?.type ?? pod?.type, 'set seccompProfile.type: RuntimeDefault in the pod securityContext');
      }
    });
  },
});

const K28 = templateRule({
  id: 'K28',
  title: 'Read-only root filesystem; every emptyDir has a sizeLimit',
  description: 'A writable root lets an attacker drop tools; an unbounded emptyDir can fill the node\'s disk and evict other tenants.',
  references: [CHECKOV('CKV_K8S_22'), POLARIS('notReadOnlyRootFilesystem'), KUBE_SCORE('container-security-context-readonlyrootfilesystem'), KUBESEC('ReadOnlyRootFilesystem'), NSA('Immutable container file systems')],
  check: (t, report) => {
    eachContainer(t, c => {
      const v = c.container.securityContext?.readOnlyRootFilesystem;
      if (v !== true) report(`${c.path}.securityContext.readOnlyRootFilesystem`, 'is not true', v, 'set readOnlyRootFilesystem: true and mount size-limited emptyDirs where the process writes');
    });
    list(t.spec.volumes).forEach((v: any, i: number) => {
      if (v?.emptyDir !== undefined && (v.emptyDir === null || v.emptyDir.sizeLimit === undefined)) {
        report(`${t.path}.volumes[${i}].emptyDir.sizeLimit`, 'is not set', v?.name, 'bound the emptyDir, e.g. sizeLimit: 64Mi');
      }
    });
  },
});

const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

const K29 = templateRule({
  id: 'K29',
  title: 'Only volume types PSS restricted allows (configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret)',
  description: 'hostPath and the in-tree network volumes reach the node or bypass the storage class.',
  references: [PSS('Volume Types'), PSS_BASELINE('HostPath Volumes'), CIS('5.2.12'), ref('Monokle', 'PSS201')],
  check: (t, report) => list(t.spec.volumes).forEach((v: any, i: number) => {
    const kinds = Object.keys(v ?? {}).filter(k => k !== 'name');
    const bad = kinds.filter(k => !RESTRICTED_VOLUMES.has(k));
    if (bad.length > 0) report(`${t.path}.volumes[${i}]`, 'uses a volume type PSS restricted refuses', bad, 'use a PVC, configMap, secret, projected or emptyDir volume');
  }),
});

/** `ContainerImage.fromDigest: <field> <problem> (got <json>); <fix>`. */
const IMAGE_PROBLEM = /^[^:]+: (\S+) (.*?) \(got (?:"(?:[^"\\]|\\.)*"|[^)]*)\); (.*)$/;

function K30(o: PodRuleOptions): PolicyRule {
  return templateRule({
    id: 'K30',
    title: 'Images pinned by sha256 digest from an allowed registry, never :latest (injected agent images too)',
    description: 'A tag can be moved to different content; the digest is what was scanned and reviewed.',
    references: [CHECKOV('CKV_K8S_43'), CHECKOV('CKV_K8S_14'), KUBE_SCORE('container-image-tag'), POLARIS('tagNotSpecified'), KUBE_LINTER('latest-tag'), CIS('5.5.1')],
    check: (t, report) => {
      const checkImage = (field: string, image: unknown) => {
        try {
          ContainerImage.fromDigest(String(image ?? ''), o.allowedRegistries.length > 0 ? { allowedRegistries: o.allowedRegistries } : {});
        } catch (e) {
          const problems: string[] = (e as any)?.problems ?? [String(e)];
          for (const p of problems) {
            const m = IMAGE_PROBLEM.exec(p);
            report(field, m ? `${m[1] === 'reference' ? '' : `${m[1]} `}${m[2]}` : 'is not pinned by digest', image, m ? m[3] : 'use <registry>/<repository>@sha256:<digest>');
          }
        }
      };
      eachContainer(t, c => checkImage(`${c.path}.image`, c.container.image));
      const agentImage = t.annotations[`${AGENT}/agent-image`];
      if (agentImage !== undefined) checkImage(`metadata.annotations["${AGENT}/agent-image"]`, agentImage);
    },
  });
}

const K31 = templateRule({
  id: 'K31',
  title: 'imagePullPolicy: Always',
  description: 'Always makes the kubelet check the registry credentials of the pod, so a tenant cannot run an image another tenant pulled to the node.',
  references: [CHECKOV('CKV_K8S_15'), KUBE_SCORE('container-image-pull-policy'), POLARIS('pullPolicyNotAlways'), ref('Kubernetes', 'AlwaysPullImages admission')],
  check: (t, report) => eachContainer(t, c => {
    if (c.container.imagePullPolicy !== 'Always') report(`${c.path}.imagePullPolicy`, 'is not Always', c.container.imagePullPolicy, 'set imagePullPolicy: Always');
  }),
});

const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
const AGENT_RESOURCES: Array<[string, string]> = [['cpu', 'cpu'], ['mem', 'memory'], ['ephemeral', 'ephemeral-storage']];

const K32 = templateRule({
  id: 'K32',
  title: 'requests and limits for cpu, memory and ephemeral-storage on every container (injected Vault agents too)',
  description: 'Without requests the scheduler overcommits; without limits one container can exhaust the node; ephemeral storage is the disk.',
  references: [CHECKOV('CKV_K8S_10'), CHECKOV('CKV_K8S_11'), CHECKOV('CKV_K8S_12'), CHECKOV('CKV_K8S_13'), KUBE_SCORE('container-resources'), KUBE_SCORE('container-ephemeral-storage-request-and-limit'), POLARIS('cpuRequestsMissing'), POLARIS('memoryLimitsMissing'), KUBESEC('LimitsCPU')],
  check: (t, report) => {
    eachContainer(t, c => {
      if (c.group === 'ephemeralContainers') return;
      for (const which of ['requests', 'limits']) {
        for (const r of RESOURCES) {
          if (c.container.resources?.[which]?.[r] === undefined) report(`${c.path}.resources.${which}["${r}"]`, 'is not set', undefined, `set ${which}.${r}`);
        }
      }
    });
    if (injectsVaultAgent(t.annotations)) {
      for (const which of ['requests', 'limits']) {
        for (const [short, long] of AGENT_RESOURCES) {
          const key = `${AGENT}/agent-${which}-${short}`;
          if (t.annotations[key] === undefined) report(`metadata.annotations["${key}"]`, `is not set, so the injected Vault agent has no ${long} ${which.slice(0, -1)}`, undefined, `set ${key}`);
        }
      }
    }
  },
});

const K33 = templateRule({
  id: 'K33',
  title: 'Valid quantities: Kubernetes grammar, > 0, never milli-bytes ("512m" memory) or "16GB"',
  description: '"512m" of memory is 0.512 bytes and "16GB" is not a quantity; both fail at apply time or, worse, admit a useless pod.',
  references: [ref('Kubernetes', 'Quantity'), KUBE_SCORE('container-resources')],
  check: (t, report) => {
    eachContainer(t, c => {
      for (const which of ['requests', 'limits']) {
        for (const [r, v] of entries(c.container.resources?.[which])) {
          const problem = checkQuantity(typeof v === 'number' ? String(v) : v, quantityKindOf(r));
          if (problem) report(`${c.path}.resources.${which}["${r}"]`, problem.problem, v, problem.fix);
        }
      }
    });
    list(t.spec.volumes).forEach((v: any, i: number) => {
      const size = v?.emptyDir?.sizeLimit;
      if (size !== undefined) {
        const problem = checkQuantity(String(size), quantityKindOf('memory'));
        if (problem) report(`${t.path}.volumes[${i}].emptyDir.sizeLimit`, problem.problem, size, problem.fix);
      }
    });
    for (const which of ['requests', 'limits']) {
      for (const [short, long] of AGENT_RESOURCES) {
        const key = `${AGENT}/agent-${which}-${short}`;
        const v = t.annotations[key];
        if (v === undefined) continue;
        const problem = checkQuantity(v, quantityKindOf(long));
        if (problem) report(`metadata.annotations["${key}"]`, problem.problem, v, problem.fix);
      }
    }
  },
});

const K34 = templateRule({
  id: 'K34',
  title: 'requests ≤ limits for every container resource',
  description: 'The API server refuses a request above its limit; catching it at synth time names the construct.',
  references: [ref('Kubernetes', 'Resource Management for Pods and Containers')],
  check: (t, report) => {
    eachContainer(t, c => {
      for (const [r, req] of entries(c.container.resources?.requests)) {
        const lim = c.container.resources?.limits?.[r];
        const a = quantity(req, r);
        const b = quantity(lim, r);
        if (a !== undefined && b !== undefined && a > b * (1 + 1e-12)) report(`${c.path}.resources.requests["${r}"]`, `is above the limit ${lim}`, req, 'make requests ≤ limits');
      }
    });
    for (const [short, long] of AGENT_RESOURCES) {
      const req = t.annotations[`${AGENT}/agent-requests-${short}`];
      const lim = t.annotations[`${AGENT}/agent-limits-${short}`];
      const a = quantity(req, long);
      const b = quantity(lim, long);
      if (a !== undefined && b !== undefined && a > b * (1 + 1e-12)) report(`metadata.annotations["${AGENT}/agent-requests-${short}"]`, `is above the agent limit ${lim}`, req, 'make requests ≤ limits');
    }
  },
});

/** K19–K34. */
export function podRules(o: PodRuleOptions): PolicyRule[] {
  return [K19, K20, K21, K22, K23, K24, K25(o), K26, K27, K28, K29, K30(o), K31, K32, K33, K34];
}

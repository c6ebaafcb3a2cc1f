import { fail } from './problems';

const CIDR_V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** A destination tenant pods may reach (K05–K07, B13): a CIDR block or pods in a namespace, on one TCP port. */
export class EgressTarget {
  /**
   * An IPv4 block such as a managed database subnet. `0.0.0.0/0` and prefixes shorter than /8 are refused (K07).
   */
  public static cidr(block: string, port: number): EgressTarget {
    const m = CIDR_V4.exec(block ?? '');
    const octets = m ? m.slice(1, 5).map(Number) : [];
    const prefix = m ? Number(m[5]) : -1;
    if (!m || octets.some(o => o > 255) || prefix > 32) {
      fail('EgressTarget.cidr', 'block', 'is not an IPv4 CIDR block', block, 'write e.g. "10.20.0.0/24"');
    }
    if (prefix < 8) {
      fail('EgressTarget.cidr', 'block', 'opens egress to too much of the network (K07)', block, 'name the database or object-store subnet, e.g. "10.20.0.0/24"');
    }
    return new EgressTarget(checkPort(port, 'EgressTarget.cidr'), block, undefined, undefined);
  }

  /** Pods selected by labels in a namespace (an in-cluster PostgreSQL or MinIO). */
  public static podsInNamespace(namespace: string, podLabels: { [key: string]: string }, port: number): EgressTarget {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace ?? '') || namespace.length > 63) {
      fail('EgressTarget.podsInNamespace', 'namespace', 'is not a DNS-1123 label', namespace, 'use the namespace name, e.g. "databases"');
    }
    const entries = Object.entries(podLabels ?? {});
    if (entries.length === 0) {
      fail('EgressTarget.podsInNamespace', 'podLabels', 'is empty, which would allow every pod of the namespace', podLabels, 'select the service pods, e.g. { "app.kubernetes.io/name": "postgresql" }');
    }
    for (const [k, v] of entries) {
      if (!LABEL_KEY.test(k) || !LABEL_VALUE.test(v)) {
        fail('EgressTarget.podsInNamespace', 'podLabels', 'has an invalid label', `${k}=${v}`, 'use qualified label keys and values of at most 63 characters');
      }
    }
    return new EgressTarget(checkPort(port, 'EgressTarget.podsInNamespace'), undefined, namespace, { ...podLabels });
  }

  /** TCP port. */
  public readonly port: number;
  /** CIDR block, if this is a block target. */
  public readonly cidrBlock?: string;
  /** Namespace, if this is a pod target. */
  public readonly namespace?: string;
  /** Pod labels, if this is a pod target. */
  public readonly podLabels?: { [key: string]: string };

  private constructor(port: number, cidrBlock?: string, namespace?: string, podLabels?: { [key: string]: string }) {
    this.port = port;
    this.cidrBlock = cidrBlock;
    this.namespace = namespace;
    this.podLabels = podLabels;
  }
}

function checkPort(port: number, path: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    fail(path, 'port', 'is not a TCP port', port, 'use an integer from 1 to 65535');
  }
  return port;
}

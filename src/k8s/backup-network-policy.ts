/**
 * Egress of a tenant's backup pods (K05–K07): exactly the database and the drill server (when the tenant has a database), the object stores, Vault and
 * the Pushgateway of its TenantBackupPlan, one rule per distinct target.
 */
import { NetworkPolicyEgressRule } from './imports/k8s';
import { port } from './typed-object';
import { TenantBackupPlan } from '../model/backup-plan';
import { EgressTarget } from '../model/egress-target';

/** The NetworkPolicy `spec.egress` rules of a plan, in a fixed order, duplicates dropped. */
export function backupEgressRules(plan: TenantBackupPlan): NetworkPolicyEgressRule[] {
  const targets = [
    plan.database?.egress, plan.drill?.egress, plan.primaryStore.egress, plan.offsiteStore.egress, plan.objectsStore?.egress,
    plan.vaultEgress, plan.pushgatewayEgress,
  ]
    .filter((t): t is EgressTarget => t !== undefined);
  const rules: NetworkPolicyEgressRule[] = [];
  const seen = new Set<string>();
  for (const t of targets) {
    const rule: NetworkPolicyEgressRule = {
      to: [t.cidrBlock
        ? { ipBlock: { cidr: t.cidrBlock } }
        : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': t.namespace! } }, podSelector: { matchLabels: { ...t.podLabels } } }],
      ports: [{ protocol: 'TCP', port: port(t.port) }],
    };
    const key = JSON.stringify(rule);
    if (!seen.has(key)) {
      seen.add(key);
      rules.push(rule);
    }
  }
  return rules;
}

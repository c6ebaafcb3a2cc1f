// Policy layer (docs/architecture.md): rules over synthesized output with the ids of docs/policies.md, acknowledgements with
// recorded reasons, the policy report, the secret-leak guard and environment parity.
export * from './types';
export * from './input';
export * from './pack';
export * from './secret-scan';
export * from './parity';
export * from './workflow-checks';

// Policy layer (DESIGN.md src/policy): rules over synthesized output with the CHECKS.md ids, acknowledgements with
// recorded reasons, the policy report, the secret-leak guard and environment parity.
export * from './types';
export * from './input';
export * from './pack';
export * from './secret-scan';
export * from './parity';

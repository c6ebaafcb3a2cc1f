// Public surface of the lifecycle layer; src/index.ts re-exports what the package publishes.
export * from './decommission';
export * from '../model/expiry';
export * from './inventory';
export * from './lifecycle';
export * from './previews';
export * from './tenant-registry';
export * from './tenant-state';
export * from './transitions';
export * from './workflows';
export * from './github-environments';

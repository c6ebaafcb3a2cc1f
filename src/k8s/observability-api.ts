// The alert and metric names are framework-free (src/model/observability-api.ts): the lifecycle workflows' health
// check reads them too. Re-exported here for the Kubernetes constructs that emit them.
export * from '../model/observability-api';

/**
 * Issue 21 item 3: in permanent classes the tenant Namespace and PersistentVolumeClaims carry
 * `helm.sh/resource-policy: keep`, so that uninstalling the base release, or a chart that no longer holds them, never
 * deletes them; other classes' tenants are removed with their release.
 */
import { App, Testing } from 'cdk8s';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { Tenant } from '../../src/model/tenant';
import { validateAll } from '../support/strict-validator';

const created = '2026-11-28T09:00:00Z';
const docsOf = (env: Environment) => Testing.synth(new TenantChart(Testing.app() as App, 'acme', {
  environment: env,
  tenant: new Tenant({ id: 'acme', volumes: [{ name: 'uploads', size: '5Gi' }] }),
}));
const keep = (d: any) => d.metadata.annotations?.['helm.sh/resource-policy'];

test('production: the tenant Namespace and its PersistentVolumeClaims are kept by Helm', () => {
  const docs = docsOf(new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION }));
  const kept = docs.filter(d => keep(d) !== undefined).map(d => [d.kind, d.metadata.name, keep(d)]);
  expect(kept).toEqual([['Namespace', 'prod-acme', 'keep'], ['PersistentVolumeClaim', 'uploads', 'keep']]);
  expect(validateAll(docs.filter(d => keep(d) !== undefined))).toEqual([]);
});

test.each([
  ['staging', EnvironmentClass.STAGING, undefined],
  ['dev', EnvironmentClass.DEVELOPMENT, created],
])('%s: nothing is kept (an ordinary apply may remove its tenants)', (name, environmentClass, createdAt) => {
  const docs = docsOf(new Environment({ name, environmentClass, createdAt, owner: 'dana' }));
  expect(docs.filter(d => keep(d) !== undefined)).toEqual([]);
});

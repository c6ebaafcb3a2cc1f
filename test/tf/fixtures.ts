import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing } from 'cdktf';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { TenantProps } from '../../src/model/tenant';
import { EnvironmentStack, EnvironmentStackProps } from '../../src/tf/environment-stack';

/** Tenants used across the tf tests: one with a module that uses the spec's Vault references, one without a database. */
export const ACME: TenantProps = {
  id: 'acme',
  modules: [{
    name: 'billing',
    chart: 'billing-api',
    repository: 'https://charts.inopsio.example',
    version: '1.4.2',
    values: {
      'image.tag': '2.3.1',
      'env.DATABASE_URL': "{{ vault('database/creds/tenant-db') }}",
      'env.LOG_LEVEL': 'info',
    },
  }],
};
export const GLOBEX: TenantProps = { id: 'globex', database: false };

/** The tenant databases' server, shared by Vault's connection and the pods' connection strings. */
export const DATABASE = { host: 'postgres.databases.svc' };

export function devEnv(tenants: TenantProps[] = [ACME, GLOBEX]): Environment {
  return new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: '2026-11-28T09:00:00Z', owner: 'dana', database: DATABASE, tenants });
}
export function stagingEnv(tenants: TenantProps[] = [ACME, GLOBEX]): Environment {
  return new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING, database: DATABASE, tenants });
}
export function prodEnv(tenants: TenantProps[] = [ACME, GLOBEX]): Environment {
  return new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: DATABASE, tenants });
}
export function previewEnv(tenants: TenantProps[] = [ACME]): Environment {
  return Environment.preview({ branch: 'feature/JIRA-123_Add Billing!!', createdAt: '2026-11-28T09:00:00Z', owner: 'dana', database: DATABASE, tenants });
}

/** A tiny local chart (Chart.yaml, a template and the tenant Namespace), written fresh under TMPDIR. */
export function writeChart(name: string, namespace: string = 'dev-acme'): string {
  const dir = path.join(os.tmpdir(), 'tf-charts', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'templates'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'manifests'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: tenant-base\ntype: application\nversion: 1.0.0-abc123\n');
  fs.writeFileSync(path.join(dir, 'templates', 'manifests.yaml'), '{{ .Files.Get "manifests/tenant.yaml" }}\n');
  fs.writeFileSync(path.join(dir, 'manifests', 'tenant.yaml'), `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`);
  return dir;
}

/** A stack with every tenant's base added (charts written under TMPDIR). */
export function stackFor(env: Environment, props: Partial<EnvironmentStackProps> = {}, app: App = Testing.app()): EnvironmentStack {
  const stack = new EnvironmentStack(app, env.name, { environment: env, ...props });
  for (const tenant of env.tenants) {
    stack.addTenantBase(tenant, writeChart(`${env.name}-${tenant.id}`, env.namespaceFor(tenant.id)));
  }
  return stack;
}

/** The synthesized stack as an object. */
export function synthJson(stack: EnvironmentStack): any {
  return JSON.parse(Testing.synth(stack));
}

/** The resources of a type, by name. */
export function resources(json: any, type: string): Record<string, any> {
  return json.resource?.[type] ?? {};
}

/** The single resource of a type whose attribute `attr` equals `value`. */
export function findResource(json: any, type: string, attr: string, value: unknown): { id: string; body: any } {
  const hits = Object.entries(resources(json, type)).filter(([, body]) => body[attr] === value);
  if (hits.length !== 1) throw new Error(`expected one ${type} with ${attr}=${JSON.stringify(value)}, found ${hits.length}`);
  return { id: `${type}.${hits[0][0]}`, body: hits[0][1] };
}

/** The message of the error `fn` throws (fails the test if it does not throw). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, but none was thrown');
}

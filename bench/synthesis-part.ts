// One part of a horizontally split synthesis (docs/performance.md "Horizontal synthesis"), in a fresh process:
//
//   node -r ts-node/register/transpile-only bench/synthesis-part.ts <n> <shards> <part i/n | whole> <dir>
//
// Production only, N reference tenants over <shards> Terraform shards, the policy pack on (the Platform's default).
// Prints one JSON line: times, peak RSS (the whole process, loading included), files and tenants written.
import * as fs from 'fs';
import * as path from 'path';
import { App as TfApp } from 'cdktf';
import { referencePlatformProps, referenceTenants } from './reference';
import { Environment } from '../src/model/environment';
import { EnvironmentClass } from '../src/model/environment-class';
import { SynthesisShard } from '../src/model/synthesis-shard';
import { Platform } from '../src/platform/platform';

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1;
  return n;
}

const [n, shardCount, partText, dir] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4], process.argv[5]];
const part = partText === 'whole' ? undefined : SynthesisShard.parse(partText);
const t0 = performance.now();
const app = new TfApp({ outdir: path.join(dir, 'cdktf.out') });
const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION, database: { host: 'postgres.databases.svc' }, tenants: referenceTenants(n) });
const platform = new Platform(app, 'inopsio', referencePlatformProps(0, path.join(dir, 'dist'), {
  environments: [prod],
  sharding: { prod: { shardCount, maxTenantsPerShard: 2000 } },
  synthesisShard: part,
}));
const t1 = performance.now();
const result = platform.synth();
const t2 = performance.now();
const usage = process.resourceUsage();
process.stdout.write(`${JSON.stringify({
  n, shardCount, part: partText,
  constructS: +((t1 - t0) / 1000).toFixed(2),
  synthS: +((t2 - t1) / 1000).toFixed(2),
  cpuS: +((usage.userCPUTime + usage.systemCPUTime) / 1e6).toFixed(2),
  peakRssMb: Math.round(usage.maxRSS / 1024),
  tenantManifests: result.manifestFiles.filter(f => !f.endsWith('platform.k8s.yaml')).length,
  files: countFiles(path.join(dir, 'dist')) + countFiles(path.join(dir, 'cdktf.out')),
})}\n`);

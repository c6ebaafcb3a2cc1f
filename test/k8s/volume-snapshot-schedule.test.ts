import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { renderSnapshotScript, SNAPSHOT_OF_LABEL, VolumeSnapshotSchedule } from '../../src/k8s/volume-snapshot-schedule';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { Tenant } from '../../src/model/tenant';
import { validateAll } from '../support/strict-validator';

const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION });
const acme = new Tenant({ id: 'acme', volumes: [{ name: 'uploads', size: '20Gi' }, { name: 'cache', size: '5Gi' }] });
const IMAGE = ContainerImage.fromDigest(`registry.example.com/platform/kubectl@sha256:${'ab'.repeat(32)}`);
const API = EgressTarget.cidr('10.0.0.1/32', 443);
const DAY = 86400;
const NOW = 1_750_000_000;

function build() {
  const chart = new TenantChart(Testing.app(), 'acme', { environment: prod, tenant: acme });
  const schedule = new VolumeSnapshotSchedule(chart, 'Snapshots', { environment: prod, tenant: acme, image: IMAGE, apiServerEgress: API, snapshotClass: 'csi-snapclass' });
  return { chart, schedule, docs: Testing.synth(chart) };
}

describe('VolumeSnapshotSchedule (issue 23)', () => {
  test('a CronJob on the backup schedule, covered by the backup alerts, with the least RBAC and a projected token; strictly valid', () => {
    const { docs, schedule } = build();
    const mine = docs.filter(d => d.metadata?.name?.startsWith(schedule.cronJobName));
    expect(mine.map(d => `${d.kind}/${d.metadata.name}`).sort()).toEqual([
      'ConfigMap/backup-acme-snapshots-script', 'CronJob/backup-acme-snapshots', 'NetworkPolicy/backup-acme-snapshots-egress',
      'Role/backup-acme-snapshots', 'RoleBinding/backup-acme-snapshots', 'ServiceAccount/backup-acme-snapshots',
    ]);
    expect(schedule.cronJobName).toMatch(/^backup-.+/);
    const cron = mine.find(d => d.kind === 'CronJob');
    expect(cron.spec).toMatchObject({ schedule: prod.environmentClass.backup.schedule, timeZone: prod.environmentClass.backup.timeZone, concurrencyPolicy: 'Forbid' });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    // Issue 24 (W10): the decommission's final snapshots run in a suspended tenant's carve-out quota.
    expect(pod.priorityClassName).toBe('inopsio-prod-backup');
    expect(pod.volumes.find((v: any) => v.name === 'api-token').projected.sources[0].serviceAccountToken.expirationSeconds).toBe(3600);
    expect(mine.find(d => d.kind === 'Role').rules).toEqual([{ apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: ['create', 'delete', 'get', 'list', 'watch'] }]);
    expect(mine.find(d => d.kind === 'NetworkPolicy').spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.1/32' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    expect(validateAll(mine)).toEqual([]);
    expect(mine.find(d => d.kind === 'ConfigMap').data['snapshot.sh']).toContain("readonly CLAIMS=('uploads' 'cache')");
  });

  test('the script passes shellcheck', () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'snap-sc-'));
    fs.writeFileSync(path.join(dir, 'snapshot.sh'), build().docs.find(d => d.kind === 'ConfigMap' && d.data?.['snapshot.sh']).data['snapshot.sh']);
    const r = spawnSync('shellcheck', ['-s', 'bash', '-S', 'style', '-f', 'gcc', path.join(dir, 'snapshot.sh')], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('run against a fake kubectl: one snapshot per claim each run, retention and keepLast per claim, nothing pruned when a snapshot is not ready', () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'snap-run-'));
    const store = path.join(dir, 'store');
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(store);
    fs.mkdirSync(bin);
    // A tiny stand-in for the API: one file per VolumeSnapshot, "<creationTimestamp> <claim> <schedule>".
    fs.writeFileSync(path.join(bin, 'kubectl'), `#!/usr/bin/env bash
set -euo pipefail
args=" $* "
if [[ $args == *" create -f - "* ]]; then
  json=$(cat)
  name=$(sed -E 's/.*"metadata":\\{"name":"([^"]+)".*/\\1/' <<<"$json")
  claim=$(sed -E 's/.*"persistentVolumeClaimName":"([^"]+)".*/\\1/' <<<"$json")
  sched=$(sed -E 's/.*"lifecycle.inopsio.io\\/snapshot-schedule":"([^"]+)".*/\\1/' <<<"$json")
  [[ ! -e "$FAKE_STORE/$name" ]] || { echo "AlreadyExists" >&2; exit 1; }
  printf '%s %s %s\\n' "$(date -u -d "@$INOPSIO_NOW" +%Y-%m-%dT%H:%M:%SZ)" "$claim" "$sched" >"$FAKE_STORE/$name"
  printf '%s\\n' "$json" >"$FAKE_STORE/$name.json"
elif [[ $args == *" wait "* ]]; then
  [[ -z \${FAKE_NOT_READY:-} ]] || exit 1
elif [[ $args == *" get volumesnapshots "* ]]; then
  sel=$(sed -E 's/.*--selector ([^ ]+).*/\\1/' <<<"$args")
  claim=$(sed -E 's/.*snapshot-of=([^,]+),.*/\\1/' <<<"$sel")
  sched=$(sed -E 's/.*snapshot-schedule=(.+)$/\\1/' <<<"$sel")
  for f in "$FAKE_STORE"/*; do
    [[ $f == *.json ]] && continue
    read -r ts c s <"$f"
    if [[ $c == "$claim" && $s == "$sched" ]]; then printf '%s %s\\n' "$ts" "\${f##*/}"; fi
  done
elif [[ $args == *" delete volumesnapshot "* ]]; then
  name=$(sed -E 's/.* delete volumesnapshot ([^ ]+).*/\\1/' <<<"$args")
  rm -f "$FAKE_STORE/$name" "$FAKE_STORE/$name.json"
else
  echo "fake kubectl: unsupported: $*" >&2; exit 98
fi
`, { mode: 0o755 });
    const script = path.join(dir, 'snapshot.sh');
    fs.writeFileSync(script, renderSnapshotScript({ namespace: 'prod-acme', schedule: 'backup-acme-snapshots', claims: ['uploads', 'cache'], snapshotClass: 'csi-snapclass', retentionDays: 3, keepLast: 2 }));
    const run = (now: number, extra: Record<string, string> = {}) => spawnSync('bash', [script], {
      encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}`, FAKE_STORE: store, INOPSIO_NOW: String(now), LC_ALL: 'C.UTF-8', ...extra },
    });
    // A snapshot of another schedule is never touched.
    fs.writeFileSync(path.join(store, 'uploads-manual'), '2020-01-01T00:00:00Z uploads someone-else\n');
    for (let day = 0; day < 8; day++) {
      const r = run(NOW + day * DAY);
      if (r.status !== 0) throw new Error(r.stderr);
    }
    const names = fs.readdirSync(store).filter(f => !f.endsWith('.json')).sort();
    const uploads = names.filter(n => n.startsWith('uploads-2'));
    // Retention 3 days: on day 7 the snapshots of days 4..7 remain, 4 per claim.
    expect(uploads).toHaveLength(4);
    expect(names.filter(n => n.startsWith('cache-'))).toHaveLength(4);
    expect(names).toContain('uploads-manual');
    const json = JSON.parse(fs.readFileSync(path.join(store, `${uploads[0]}.json`), 'utf8'));
    expect(json).toMatchObject({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', spec: { source: { persistentVolumeClaimName: 'uploads' }, volumeSnapshotClassName: 'csi-snapclass' } });
    expect(json.metadata.labels[SNAPSHOT_OF_LABEL]).toBe('uploads');
    expect(validateAll([json])).toEqual([]);

    // Not ready: exit 4, nothing pruned.
    const before = fs.readdirSync(store).filter(f => !f.endsWith('.json')).length;
    const bad = run(NOW + 100 * DAY, { FAKE_NOT_READY: '1' });
    expect(bad.status).toBe(4);
    expect(bad.stderr).toContain('is not ready to use; nothing is pruned');
    expect(fs.readdirSync(store).filter(f => !f.endsWith('.json')).length).toBe(before + 2);
    // Long after, only the newest keepLast (2) of each claim survive, with the other schedule's snapshot.
    const late = run(NOW + 200 * DAY);
    expect(late.status).toBe(0);
    expect(fs.readdirSync(store).filter(f => !f.endsWith('.json')).sort().filter(n => n.startsWith('uploads'))).toHaveLength(3);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

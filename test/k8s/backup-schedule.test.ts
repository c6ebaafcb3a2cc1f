import { spawnSync } from 'child_process';
import { pathToFileURL } from 'url';
import { App, Chart, JsonPatch, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { BackupSchedule, BackupScheduleProps, PostgresSslMode } from '../../src/k8s/backup-schedule';
import { BACKUP_EXIT_CODES, BACKUP_METRIC_KINDS, BACKUP_METRICS, ObjectStoreBackend, renderBackupScripts } from '../../src/k8s/backup-scripts';
import { TenantChart } from '../../src/k8s/tenant-chart';
import { TenantBackupPlan } from '../../src/model/backup-plan';
import { BackupPolicy } from '../../src/model/backup-policy';
import { BackupScriptOptions } from '../../src/model/backup-script-options';
import { EgressTarget } from '../../src/model/egress-target';
import { Environment } from '../../src/model/environment';
import { EnvironmentClass, LifecycleKind } from '../../src/model/environment-class';
import { ContainerImage } from '../../src/model/image';
import { Period } from '../../src/model/period';
import { Quantity, QuantityKind } from '../../src/model/quantity';
import { Tenant, TenantState } from '../../src/model/tenant';
import { VaultRef } from '../../src/model/vault-ref';
import { problemsOf } from '../support/problems';
import { expectValidManifests } from '../support/strict-validator';

const DIGEST = `sha256:${'3f'.repeat(32)}`;
const IMAGE = ContainerImage.fromDigest(`registry.example.com/platform/pg-backup@${DIGEST}`);
const created = '2026-11-28T09:00:00Z';
const prod = new Environment({ name: 'prod', environmentClass: EnvironmentClass.PRODUCTION });
const staging = new Environment({ name: 'staging', environmentClass: EnvironmentClass.STAGING });
const acme = new Tenant({ id: 'acme' });

const DB_EGRESS = EgressTarget.podsInNamespace('databases', { 'app.kubernetes.io/name': 'postgresql' }, 5432);
const MINIO_EGRESS = EgressTarget.podsInNamespace('minio', { 'app.kubernetes.io/name': 'minio' }, 9000);
const OFFSITE_EGRESS = EgressTarget.cidr('203.0.113.0/24', 443);

function props(over: Partial<BackupScheduleProps> = {}, env: Environment = prod, tenant: Tenant = acme): BackupScheduleProps {
  return {
    environment: env,
    tenant,
    image: IMAGE,
    database: { host: 'postgres.databases.svc', egress: DB_EGRESS, caConfigMap: 'postgres-ca' },
    primaryStore: { endpoint: 'https://minio.minio.svc:9000', bucket: 'tenant-backups', egress: MINIO_EGRESS },
    offsiteStore: { endpoint: 'https://s3.eu-central-2.example.com', bucket: 'inopsio-offsite', egress: OFFSITE_EGRESS },
    ...over,
  };
}

function build(over: Partial<BackupScheduleProps> = {}, env: Environment = prod, tenant: Tenant = acme) {
  const chart = Testing.chart();
  const schedule = new BackupSchedule(chart, 'Backup', props(over, env, tenant));
  return { chart, schedule, docs: Testing.synth(chart) };
}

const byKind = (docs: any[], kind: string) => docs.filter(d => d.kind === kind);
const cronJobs = (docs: any[]) => byKind(docs, 'CronJob');
const podSpecs = (docs: any[]) => cronJobs(docs).map(c => c.spec.jobTemplate.spec.template.spec);

describe('BackupSchedule', () => {
  test('defaults (production)', () => {
    const { docs } = build();
    expect(docs).toMatchSnapshot();
    expectValidManifests(docs);
    expect(docs.map(d => `${d.kind}/${d.metadata.name}`)).toEqual([
      'ConfigMap/backup-acme-scripts',
      'ServiceAccount/backup-acme',
      'NetworkPolicy/backup-acme-egress',
      'CronJob/backup-acme',
      'CronJob/backup-acme-restore-drill',
    ]);
  });

  test('every variant validates against the strict schemas of the default target (Kubernetes 1.35)', () => {
    const variants: Array<[Partial<BackupScheduleProps>, Environment?]> = [
      [{}],
      [{ pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091', pushgatewayEgress: EgressTarget.podsInNamespace('monitoring', { 'app.kubernetes.io/name': 'prometheus-pushgateway' }, 9091), vaultEgress: EgressTarget.cidr('10.0.50.0/24', 8200) }],
      [{ database: { host: '10.20.0.15', egress: EgressTarget.cidr('10.20.0.0/24', 5432), sslMode: PostgresSslMode.REQUIRE }, restoreDrill: { host: 'scratch-pg.databases.svc', egress: EgressTarget.podsInNamespace('databases', { app: 'scratch-pg' }, 5433) } }],
      [{ vaultAgentImage: ContainerImage.fromDigest(`docker.io/hashicorp/vault@${DIGEST}`) }, staging],
    ];
    for (const [over, env] of variants) {
      const { docs, schedule } = build(over, env);
      const job = schedule.onDemandJob(Testing.chart(), 'Final', 'final-backup');
      expectValidManifests([...docs, job.toJson()]);
    }
  });

  test('synthesis is deterministic', () => {
    expect(Yaml.stringify(...build().docs)).toBe(Yaml.stringify(...build().docs));
  });

  test('K02–K04: explicit tenant namespace, standard and env/tenant labels on every object', () => {
    const { docs, schedule } = build();
    expect(schedule.namespace).toBe('prod-acme');
    for (const doc of docs) {
      expect(doc.metadata.namespace).toBe('prod-acme');
      expect(doc.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'backup',
        'app.kubernetes.io/instance': 'prod-acme',
        'app.kubernetes.io/managed-by': 'inopsio-env-lifecycle',
        'app.kubernetes.io/part-of': 'inopsio',
        'env': 'prod',
        'tenant': 'acme',
      });
    }
    for (const c of cronJobs(docs)) {
      expect(c.spec.jobTemplate.spec.template.metadata.labels).toMatchObject({ env: 'prod', tenant: 'acme', ...schedule.podSelectorLabels });
    }
  });

  test('K19–K20: a dedicated ServiceAccount without an API token, used by both pods; the agent gets an audience-bound token', () => {
    const { docs, schedule } = build();
    const [sa] = byKind(docs, 'ServiceAccount');
    expect(sa.metadata.name).toBe('backup-acme');
    expect(schedule.serviceAccountName).toBe('backup-acme');
    expect(sa.automountServiceAccountToken).toBe(false);
    for (const spec of podSpecs(docs)) {
      expect(spec.serviceAccountName).toBe('backup-acme');
      expect(spec.automountServiceAccountToken).toBe(false);
      const token = spec.volumes.find((v: any) => v.name === 'vault-token');
      expect(token.projected.sources).toEqual([{ serviceAccountToken: { audience: 'vault', expirationSeconds: 600, path: 'token' } }]);
      // The script container itself never mounts the token.
      expect(spec.containers[0].volumeMounts.map((m: any) => m.name)).not.toContain('vault-token');
    }
  });

  test('K21–K29: pod security of both pods, field by field', () => {
    const { docs } = build();
    const specs = podSpecs(docs);
    expect(specs).toHaveLength(2);
    for (const spec of specs) {
      expect(spec.hostNetwork).toBe(false);
      expect(spec.hostPID).toBe(false);
      expect(spec.hostIPC).toBe(false);
      expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
      expect(spec.containers).toHaveLength(1);
      expect(spec.initContainers).toBeUndefined();
      const c = spec.containers[0];
      expect(c.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.ports).toBeUndefined();
      // Writable paths are size-limited emptyDirs; the only volume types are PSS-restricted ones.
      const volumes = new Map<string, any>(spec.volumes.map((v: any) => [v.name, v]));
      for (const [mount, size] of [['/work', '2Gi'], ['/metrics', '16Mi'], ['/tmp', '64Mi']]) {
        const m = c.volumeMounts.find((x: any) => x.mountPath === mount);
        expect(m.readOnly).toBeUndefined();
        expect(volumes.get(m.name).emptyDir).toEqual({ sizeLimit: size });
      }
      for (const m of c.volumeMounts.filter((x: any) => !['/work', '/metrics', '/tmp'].includes(x.mountPath))) {
        expect(m.readOnly).toBe(true);
      }
      for (const v of spec.volumes) {
        const types = Object.keys(v).filter(k => k !== 'name');
        expect(types).toHaveLength(1);
        expect(['configMap', 'emptyDir', 'projected']).toContain(types[0]);
      }
    }
  });

  test('K30–K31: image pinned by digest, always pulled; an agent image can be pinned too', () => {
    const { docs } = build({ vaultAgentImage: ContainerImage.fromDigest(`docker.io/hashicorp/vault:1.18.2@${DIGEST}`) });
    for (const c of cronJobs(docs)) {
      const container = c.spec.jobTemplate.spec.template.spec.containers[0];
      expect(container.image).toBe(`registry.example.com/platform/pg-backup@${DIGEST}`);
      expect(container.image).toMatch(/@sha256:[0-9a-f]{64}$/);
      expect(container.imagePullPolicy).toBe('Always');
      expect(c.spec.jobTemplate.spec.template.metadata.annotations['vault.hashicorp.com/agent-image']).toBe(`docker.io/hashicorp/vault:1.18.2@${DIGEST}`);
    }
    expect(problemsOf(() => build({ image: 'registry.example.com/pg-backup:latest' as any })).join('\n')).toContain('image is not a ContainerImage');
  });

  test('K32–K34: requests and limits for cpu, memory and ephemeral-storage, on the script and the injected agent', () => {
    const { docs } = build({ cpuLimit: Quantity.parse('2', QuantityKind.CPU), workVolumeSize: Quantity.gibibytes(4) });
    const quantity = /^(\d+(\.\d+)?)(m|Mi|Gi)?$/;
    for (const c of cronJobs(docs)) {
      const { resources } = c.spec.jobTemplate.spec.template.spec.containers[0];
      for (const kind of ['requests', 'limits']) {
        expect(Object.keys(resources[kind]).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
        for (const value of Object.values(resources[kind])) expect(value).toMatch(quantity);
        expect(resources[kind].memory).not.toMatch(/m$/);
      }
      expect(resources.limits.cpu).toBe('2');
      expect(resources.limits['ephemeral-storage']).toBe(`${4 * 1024 + 256}Mi`);
      expect(resources.requests['ephemeral-storage']).toBe(resources.limits['ephemeral-storage']);
      const a = c.spec.jobTemplate.spec.template.metadata.annotations;
      for (const k of ['requests-cpu', 'limits-cpu', 'requests-mem', 'limits-mem', 'requests-ephemeral', 'limits-ephemeral']) {
        expect(a[`vault.hashicorp.com/agent-${k}`]).toMatch(quantity);
      }
    }
  });

  test('K35–K41: CronJob and Job settings, explicit IANA time zone, names ≤ 52, no probes', () => {
    const { docs, schedule } = build();
    const [backup, drill] = cronJobs(docs);
    expect(backup.spec.schedule).toBe('15 2 * * *');
    expect(drill.spec.schedule).toBe('45 4 * * 0');
    for (const c of [backup, drill]) {
      expect(c.metadata.name.length).toBeLessThanOrEqual(52);
      expect(c.spec.concurrencyPolicy).toBe('Forbid');
      expect(c.spec.startingDeadlineSeconds).toBe(3600);
      expect(c.spec.timeZone).toBe('Etc/UTC');
      expect(c.spec.suspend).toBe(false);
      expect(c.spec.successfulJobsHistoryLimit).toBe(3);
      expect(c.spec.failedJobsHistoryLimit).toBe(3);
      const job = c.spec.jobTemplate.spec;
      expect(job.activeDeadlineSeconds).toBe(1500);
      expect(job.backoffLimit).toBeGreaterThanOrEqual(1);
      expect(job.backoffLimit).toBeLessThanOrEqual(3);
      expect(job.ttlSecondsAfterFinished).toBe(604800);
      expect(job.template.spec.restartPolicy).toBe('Never');
      const container = job.template.spec.containers[0];
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) expect(container[probe]).toBeUndefined();
      // Configuration, refusal and integrity failures are final; evictions are retried without counting.
      expect(job.podFailurePolicy.rules).toEqual([
        { action: 'FailJob', onExitCodes: { containerName: container.name, operator: 'In', values: [BACKUP_EXIT_CODES.CONFIG, BACKUP_EXIT_CODES.REFUSED, BACKUP_EXIT_CODES.INTEGRITY] }, onPodConditions: [] },
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      ]);
    }
    expect(backup.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(['bash', '/scripts/backup.sh']);
    expect(drill.spec.jobTemplate.spec.template.spec.containers[0].command).toEqual(['bash', '/scripts/restore-drill.sh']);
    expect([schedule.cronJobName, schedule.restoreDrillCronJobName]).toEqual(['backup-acme', 'backup-acme-restore-drill']);
    // The ObservabilityStack's default backupCronJobPattern watches both (K45).
    for (const name of [schedule.cronJobName, schedule.restoreDrillCronJobName]) expect(name).toMatch(/^backup-.+$/);

    const tuned = cronJobs(build({ timeZone: 'Europe/Berlin', schedule: '@daily', backoffLimit: 3, ttlSecondsAfterFinished: 86400, startingDeadlineSeconds: 600, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 5 }).docs)[0];
    expect(tuned.spec).toMatchObject({ timeZone: 'Europe/Berlin', schedule: '@daily', startingDeadlineSeconds: 600, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 5 });
    expect(tuned.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 3, ttlSecondsAfterFinished: 86400 });
  });

  test('K35–K41: out-of-range Job settings are refused, all at once', () => {
    const problems = problemsOf(() => build({
      backoffLimit: 0, startingDeadlineSeconds: 5, ttlSecondsAfterFinished: 0, successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 11,
    }));
    expect(problems.map(p => p.split(' ')[1])).toEqual(['startingDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']);
    expect(problems[1]).toBe('test/Backup: backoffLimit must be a whole number from 1 to 3 (got 0); retry a failed pod 1 to 3 times (K38)');
  });

  test('F9: credentials are Vault Agent files from paths derived from the model; env holds no secrets', () => {
    const { docs, schedule } = build();
    const [backup, drill] = cronJobs(docs).map(c => c.spec.jobTemplate.spec.template);
    expect(schedule.vaultRole).toBe('prod-acme-backup');
    expect(schedule.vaultAuthPath).toBe('auth/kubernetes-prod');
    expect(schedule.vaultSecretPaths).toEqual([
      'database-prod/creds/acme-backup',
      'database-prod/creds/acme-drill',
      'kv-prod/data/prod/acme/backup/offsite-store',
      'kv-prod/data/prod/acme/backup/primary-store',
    ]);
    const secretFiles = (t: any) => Object.keys(t.metadata.annotations)
      .filter(k => k.startsWith('vault.hashicorp.com/agent-inject-secret-'))
      .map(k => [k.slice('vault.hashicorp.com/agent-inject-secret-'.length), t.metadata.annotations[k]]);
    expect(secretFiles(backup)).toEqual([
      ['offsite-access-key', 'kv-prod/data/prod/acme/backup/offsite-store'],
      ['offsite-secret-key', 'kv-prod/data/prod/acme/backup/offsite-store'],
      ['pg-service.conf', 'database-prod/creds/acme-backup'],
      ['pgpass', 'database-prod/creds/acme-backup'],
      ['primary-access-key', 'kv-prod/data/prod/acme/backup/primary-store'],
      ['primary-secret-key', 'kv-prod/data/prod/acme/backup/primary-store'],
    ]);
    // The drill reads only what it needs: its own database role and the primary store.
    expect(secretFiles(drill)).toEqual([
      ['drill-pg-service.conf', 'database-prod/creds/acme-drill'],
      ['drill-pgpass', 'database-prod/creds/acme-drill'],
      ['primary-access-key', 'kv-prod/data/prod/acme/backup/primary-store'],
      ['primary-secret-key', 'kv-prod/data/prod/acme/backup/primary-store'],
    ]);
    for (const t of [backup, drill]) {
      const a = t.metadata.annotations;
      expect(a).toMatchObject({
        'vault.hashicorp.com/agent-inject': 'true',
        'vault.hashicorp.com/agent-pre-populate-only': 'true',
        'vault.hashicorp.com/role': 'prod-acme-backup',
        'vault.hashicorp.com/auth-path': 'auth/kubernetes-prod',
        'vault.hashicorp.com/agent-service-account-token-volume-name': 'vault-token',
        'vault.hashicorp.com/agent-run-as-user': '10001',
        'vault.hashicorp.com/agent-run-as-group': '10001',
      });
      for (const [file] of secretFiles(t)) {
        expect(a[`vault.hashicorp.com/agent-inject-perms-${file}`]).toBe('0400');
        expect(a[`vault.hashicorp.com/error-on-missing-key-${file}`]).toBe('true');
      }
      const container = t.spec.containers[0];
      for (const e of container.env) {
        expect(e.valueFrom).toBeUndefined();
        expect(Object.keys(e).sort()).toEqual(['name', 'value']);
      }
      expect(container.env.map((e: any) => e.name)).not.toContain('PGPASSWORD');
    }
    expect(backup.metadata.annotations['vault.hashicorp.com/agent-inject-template-primary-access-key'])
      .toBe('{{- with secret "kv-prod/data/prod/acme/backup/primary-store" -}}{{ index .Data.data "access_key" }}{{- end }}');
    expect(backup.metadata.annotations['vault.hashicorp.com/agent-inject-template-pg-service.conf'])
      .toBe('{{- with secret "database-prod/creds/acme-backup" -}}\n[inopsio-backup]\nuser={{ .Data.username }}\n{{- end }}\n');
    expect(Object.fromEntries(backup.spec.containers[0].env.map((e: any) => [e.name, e.value]))).toEqual({
      HOME: '/tmp',
      PGSERVICE: 'inopsio-backup',
      PGSERVICEFILE: '/vault/secrets/pg-service.conf',
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: '/etc/inopsio/postgres-ca/ca.crt',
    });
    expect(drill.spec.containers[0].env.find((e: any) => e.name === 'PGSERVICEFILE').value).toBe('/vault/secrets/drill-pg-service.conf');
    // Issue 24 (W06): the CA ConfigMap is the operator's; both pods declare it (docs/outputs.md, External prerequisites).
    expect(backup.metadata.annotations['lifecycle.inopsio.io/prerequisites']).toBe('configmap/postgres-ca');
    expect(drill.metadata.annotations['lifecycle.inopsio.io/prerequisites']).toBe('configmap/postgres-ca');
  });

  test('tenant objects (issue 23): the backup reads the tenant\'s own object-store keys and reaches its store; the drill needs neither', () => {
    const DATA_EGRESS = EgressTarget.podsInNamespace('tenant-data', { app: 'minio' }, 9000);
    const tenantObjects = { endpoint: 'https://data.minio.svc:9000', bucket: 'tenant-data', egress: DATA_EGRESS };
    const { docs, schedule } = build({ tenantObjects });
    expect(schedule.vaultSecretPaths).toContain('kv-prod/data/prod/acme/object-store');
    const [backup, drill] = cronJobs(docs).map(c => c.spec.jobTemplate.spec.template.metadata.annotations);
    expect(backup['vault.hashicorp.com/agent-inject-secret-objects-access-key']).toBe('kv-prod/data/prod/acme/object-store');
    expect(backup['vault.hashicorp.com/agent-inject-template-objects-secret-key']).toContain('index .Data.data "secret_key"');
    expect(Object.keys(drill).filter(k => k.includes('objects-'))).toEqual([]);
    expect(schedule.scriptOptions.objects).toEqual({ endpoint: 'https://data.minio.svc:9000', bucket: 'tenant-data', accessKeyFile: '/vault/secrets/objects-access-key', secretKeyFile: '/vault/secrets/objects-secret-key' });
    const egress = byKind(docs, 'NetworkPolicy')[0].spec.egress;
    expect(egress).toContainEqual({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'tenant-data' } }, podSelector: { matchLabels: { app: 'minio' } } }], ports: [{ protocol: 'TCP', port: 9000 }] });
    // A tenant without object storage backs up its database only.
    const plain = build({ tenantObjects }, prod, new Tenant({ id: 'acme', objectStorage: false }));
    expect(plain.schedule.scriptOptions.objects).toBeUndefined();
    expect(plain.schedule.vaultSecretPaths).not.toContain('kv-prod/data/prod/acme/object-store');
  });

  test('F9: custom references resolve inside the tenant\'s own env and prefix; anything else is refused', () => {
    const { schedule } = build({
      database: { host: 'pg', egress: DB_EGRESS, caConfigMap: 'ca', credentials: VaultRef.fromPath('database-prod/creds/acme-backup') },
      primaryStore: { endpoint: 'https://minio:9000', bucket: 'tenant-backups', egress: MINIO_EGRESS, accessKey: VaultRef.kv('minio/backup', 'user'), secretKey: VaultRef.fromPath('kv-prod/data/prod/acme/minio/backup', 'password') },
    });
    expect(schedule.vaultSecretPaths).toEqual(expect.arrayContaining(['database-prod/creds/acme-backup', 'kv-prod/data/prod/acme/minio/backup']));

    const problems = problemsOf(() => build({
      database: { host: 'pg', egress: DB_EGRESS, caConfigMap: 'ca', credentials: VaultRef.fromPath('database-staging/creds/acme-db') },
      primaryStore: { endpoint: 'https://minio:9000', bucket: 'tenant-backups', egress: MINIO_EGRESS, accessKey: VaultRef.fromPath('kv-prod/data/prod/other/minio', 'user'), secretKey: VaultRef.kv('minio/backup') },
      offsiteStore: { endpoint: 'https://s3.example.com', bucket: 'offsite', egress: OFFSITE_EGRESS, accessKey: VaultRef.databaseCreds('tenant-db') },
    }));
    expect(problems).toEqual([
      'test/Backup: database.credentials points at environment "staging"\'s mount from environment "prod" (got "{{ vault(\'database-staging/creds/acme-db\') }}"); write the relative form (database/creds/..., kv/data/...): an environment only reads its own mounts (V12)',
      'test/Backup: primaryStore.accessKey is outside tenant "acme"\'s prefix kv-prod/data/prod/acme/ (got "{{ vault(\'kv-prod/data/prod/other/minio\', \'user\') }}"); write the tenant-relative form VaultRef.kv("<path>", "<field>") (V02)',
      'test/Backup: primaryStore.secretKey names no field (got "{{ vault(\'kv/data/minio/backup\') }}"); name the field, e.g. VaultRef.kv("backup/primary-store", "access_key")',
      'test/Backup: offsiteStore.accessKey is a database reference, not kv (got "{{ vault(\'database/creds/tenant-db\') }}"); use VaultRef.kv("<path>", "<field>")',
    ]);
  });

  test('F9: the job deadline ends before the credentials: min(class vaultTokenTtl, databaseCredentialTtl) − 5 min by default, checked with a 60 s margin', () => {
    // Production: token 30m, database lease 1h → 1800 s of credentials.
    expect(build().schedule).toMatchObject({ credentialLifetimeSeconds: 1800, activeDeadlineSeconds: 1500, restoreDrillActiveDeadlineSeconds: 1500 });
    // A class with 2h tokens and a 90m lease → 5400 s.
    const longTokens = new Environment({
      name: 'prod2',
      environmentClass: EnvironmentClass.custom({ name: 'long', lifecycle: LifecycleKind.PERSISTENT, owner: 'Ops', vaultTokenTtl: Period.hours(2), vaultTokenMaxTtl: Period.hours(4) }),
    });
    expect(build({ databaseCredentialTtl: Period.minutes(90) }, longTokens).schedule)
      .toMatchObject({ credentialLifetimeSeconds: 5400, activeDeadlineSeconds: 5100 });
    expect(build({ activeDeadlineSeconds: 1740 }).schedule.activeDeadlineSeconds).toBe(1740);

    const problems = problemsOf(() => build({ activeDeadlineSeconds: 3600, restoreDrill: { activeDeadlineSeconds: 1741 } }));
    expect(problems).toEqual([
      'test/Backup: activeDeadlineSeconds outlives the dynamic database credentials (min(class vaultTokenTtl 30m, databaseCredentialTtl 1h) = 1800s; a pod may run until the deadline, so it must end 60s before them, F9) (got 3600); use at most 1740, or raise the class\'s vaultTokenTtl and VaultBootstrap\'s databaseCredentialTtl (and pass it here)',
      'test/Backup: restoreDrill.activeDeadlineSeconds outlives the dynamic database credentials (min(class vaultTokenTtl 30m, databaseCredentialTtl 1h) = 1800s; a pod may run until the deadline, so it must end 60s before them, F9) (got 1741); use at most 1740, or raise the class\'s vaultTokenTtl and VaultBootstrap\'s databaseCredentialTtl (and pass it here)',
    ]);
    expect(build({ databaseCredentialTtl: Period.minutes(20) }).schedule.activeDeadlineSeconds).toBe(900);
    expect(problemsOf(() => build({ databaseCredentialTtl: Period.minutes(20), activeDeadlineSeconds: 1500 })).join('\n')).toContain('databaseCredentialTtl 20m) = 1200s');
  });

  test('B05/B06: bad schedule and retention input lists every problem at once', () => {
    const problems = problemsOf(() => build({
      schedule: '0 0 31 2 *',
      restoreDrillSchedule: 'TZ=Europe/Berlin 45 4 * * 0',
      localRetentionDays: 30,
      offsiteRetentionDays: 7,
      keepLast: 0,
    }));
    expect(problems).toEqual([
      'test/Backup: schedule never fires: no chosen month has the chosen day of month (got "0 0 31 2 *"); use five cron fields such as "15 2 * * *" and set timeZone separately',
      'test/Backup: restoreDrillSchedule sets a time zone inline (TZ=/CRON_TZ=), which Kubernetes rejects; use the timeZone field (got "TZ=Europe/Berlin 45 4 * * 0"); use five cron fields such as "15 2 * * *" and set timeZone separately',
      'test/Backup: offsiteRetentionDays must be a whole number not below localRetentionDays 30 (got 7); keep offsite copies at least as long as local ones (default 90)',
      'test/Backup: keepLast must be a whole number of at least 2 in production (got 0); keep at least the two newest verified backups (B06)',
    ]);
  });

  test('B05/B06: more bad input (seconds field, unknown zone, fractions, keepLast 1 in production, 0 in staging)', () => {
    const problems = problemsOf(() => build({ schedule: '0 15 2 * * *', timeZone: 'Mars/Olympus', localRetentionDays: 1.5, keepLast: 1, staleAfterHours: 0 }));
    expect(problems.map(p => p.split(' ')[1])).toEqual(['schedule', 'timeZone', 'localRetentionDays', 'keepLast', 'staleAfterHours']);
    expect(problems[0]).toContain('has six fields; Kubernetes cron has no seconds field');
    expect(problemsOf(() => build({ keepLast: 0 }, staging))).toEqual([
      'test/Backup: keepLast must be a whole number of at least 1 (got 0); always keep at least the newest verified backup (B06)',
    ]);
    expect(build({ keepLast: 1 }, staging).schedule.scriptOptions.keepLast).toBe(1);
  });

  test('B05/B06 property: any never-firing day-of-month, inline TZ or keepLast < 1 is refused', () => {
    fc.assert(fc.property(
      fc.constantFrom('0 0 31 2 *', '0 0 30 2 *', '5 4 31 4,6 *', '0 0 31 11 *'),
      fc.constantFrom('TZ=', 'CRON_TZ='),
      fc.integer({ min: -5, max: 0 }),
      (never, tz, keep) => {
        const fields = problemsOf(() => build({ schedule: never, restoreDrillSchedule: `${tz}Etc/UTC 0 3 * * 0`, keepLast: keep }, staging)).map(p => p.split(' ')[1]);
        expect(fields).toEqual(['schedule', 'restoreDrillSchedule', 'keepLast']);
      }));
  });

  test('B02: names are checked after composition; a 40-character tenant in a long preview still gets ≤ 52-character, hash-suffixed CronJob names', () => {
    const preview = Environment.preview({ branch: 'feature/JIRA-12345_Rework the whole billing pipeline!!', createdAt: created, owner: 'dana', environmentClass: EnvironmentClass.custom({ name: 'preview-backed-up', lifecycle: LifecycleKind.EPHEMERAL, owner: 'DevOps', defaultTtl: Period.hours(48), backup: BackupPolicy.DAILY }) });
    const tenant = new Tenant({ id: 'a'.repeat(18) + '-' + 'b'.repeat(21) });
    expect(tenant.id).toHaveLength(40);
    expect(preview.name.length).toBeGreaterThanOrEqual(35);
    const { docs, schedule } = build({}, preview, tenant);
    for (const c of cronJobs(docs)) {
      expect(c.metadata.name.length).toBeLessThanOrEqual(52);
      expect(c.metadata.name).toMatch(/^backup-[a-z0-9-]*-[0-9a-f]{6}(-restore-drill)?$/);
    }
    expect(schedule.restoreDrillCronJobName).toBe(`${schedule.cronJobName}-restore-drill`);
    expect(schedule.restoreDrillCronJobName).toHaveLength(52);
    expectValidManifests(docs);

    expect(problemsOf(() => build({ name: 'Backup_Acme' }))).toEqual([
      'test/Backup: name contains uppercase letters (got "Backup_Acme"); use a DNS-1123 label of at most 38 characters, so that "<name>-restore-drill" fits the CronJob limit of 52',
    ]);
    expect(problemsOf(() => build({ name: 'x'.repeat(39) }))[0]).toContain('name is longer than 38 characters');
  });

  test('B02 property: for any branch and tenant id, CronJob names are DNS labels ≤ 52 and differ between tenants', () => {
    const cls = EnvironmentClass.custom({ name: 'preview-backed-up', lifecycle: LifecycleKind.EPHEMERAL, owner: 'DevOps', defaultTtl: Period.hours(48), backup: BackupPolicy.DAILY });
    const tenantId = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/);
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 80 }).filter(b => b.trim() !== ''), tenantId, tenantId, (branch, t1, t2) => {
      fc.pre(t1 !== t2);
      const env = Environment.preview({ branch, createdAt: created, owner: 'dana', environmentClass: cls });
      const names = [t1, t2].map(id => {
        const s = new BackupSchedule(Testing.chart(), 'B', props({}, env, new Tenant({ id })));
        for (const n of [s.cronJobName, s.restoreDrillCronJobName]) {
          expect(n.length).toBeLessThanOrEqual(52);
          expect(n).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        }
        return s.cronJobName;
      });
      expect(names[0]).not.toBe(names[1]);
    }), { numRuns: 60 });
  });

  test('the ConfigMap ships exactly the scripts tested against PostgreSQL: byte-identical to renderBackupScripts, also after a YAML round trip', () => {
    const { docs, schedule } = build();
    // Written out independently of the construct, so that a drift in either is caught.
    const expected: BackupScriptOptions = {
      env: 'prod',
      tenant: 'acme',
      database: 'prod_acme',
      pgHost: 'postgres.databases.svc',
      pgPort: 5432,
      pgPassFile: '/vault/secrets/pgpass',
      primary: { endpoint: 'https://minio.minio.svc:9000', bucket: 'tenant-backups', accessKeyFile: '/vault/secrets/primary-access-key', secretKeyFile: '/vault/secrets/primary-secret-key' },
      offsite: { endpoint: 'https://s3.eu-central-2.example.com', bucket: 'inopsio-offsite', accessKeyFile: '/vault/secrets/offsite-access-key', secretKeyFile: '/vault/secrets/offsite-secret-key' },
      storeBackend: ObjectStoreBackend.MC,
      localRetentionDays: 30,
      offsiteRetentionDays: 90,
      keepLast: 2,
      staleAfterHours: 26,
      pruneAfterBackup: true,
      workDir: '/work',
      metricsDir: '/metrics',
      drillPgHost: 'postgres.databases.svc',
      drillPgPort: 5432,
      drillPgPassFile: '/vault/secrets/drill-pgpass',
      maintenanceDatabase: 'postgres',
    };
    const scripts = renderBackupScripts(expected);
    const [cm] = byKind(docs, 'ConfigMap');
    expect(Object.keys(cm.data).sort()).toEqual(['backup.sh', 'prune.sh', 'restore-drill.sh']);
    for (const key of Object.keys(scripts)) {
      expect(Buffer.from(cm.data[key]).equals(Buffer.from(scripts[key]))).toBe(true);
    }
    expect(renderBackupScripts(schedule.scriptOptions)).toEqual(cm.data);
    // kubectl reads YAML 1.1: the shipped text must survive serialization unchanged.
    const parsed = YAML.parseAllDocuments(Yaml.stringify(...docs), { version: '1.1' }).map(d => d.toJS());
    expect(parsed.find(d => d.kind === 'ConfigMap').data).toEqual(scripts);
    // Every script the pods run is in the ConfigMap they mount.
    for (const c of cronJobs(docs)) {
      const spec = c.spec.jobTemplate.spec.template.spec;
      const script = spec.containers[0].command[1].replace('/scripts/', '');
      expect(Object.keys(cm.data)).toContain(script);
      expect(spec.volumes.find((v: any) => v.name === 'scripts').configMap.name).toBe(cm.metadata.name);
    }
  });

  test('the scripts follow the overrides: retention, keepLast, staleness, Pushgateway, drill target', () => {
    const { schedule } = build({
      localRetentionDays: 14,
      offsiteRetentionDays: 365,
      keepLast: 5,
      staleAfterHours: 50,
      pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091',
      pushgatewayEgress: EgressTarget.podsInNamespace('monitoring', { app: 'pushgateway' }, 9091),
      restoreDrill: { host: 'scratch-pg.databases.svc', port: 6432, maintenanceDatabase: 'template1' },
    });
    expect(schedule.scriptOptions).toMatchObject({ localRetentionDays: 14, offsiteRetentionDays: 365, keepLast: 5, staleAfterHours: 50, pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091', drillPgHost: 'scratch-pg.databases.svc', drillPgPort: 6432, maintenanceDatabase: 'template1' });
    const backup = renderBackupScripts(schedule.scriptOptions)['backup.sh'];
    expect(backup).toContain("readonly CFG_LOCAL_RETENTION_DAYS='14'");
    expect(backup).toContain("readonly CFG_STALENESS_SECONDS='180000'");
  });

  test('K05–K07: the NetworkPolicy selects exactly the backup pods and allows egress only to the database, stores, Vault and Pushgateway', () => {
    const pgw = EgressTarget.podsInNamespace('monitoring', { 'app.kubernetes.io/name': 'prometheus-pushgateway' }, 9091);
    const vault = EgressTarget.cidr('10.0.50.0/24', 8200);
    const scratch = EgressTarget.podsInNamespace('databases', { app: 'scratch-pg' }, 5433);
    const { docs, schedule } = build({ pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091', pushgatewayEgress: pgw, vaultEgress: vault, restoreDrill: { host: 'scratch-pg.databases.svc', egress: scratch } });
    const [np] = byKind(docs, 'NetworkPolicy');
    expect(np.spec.podSelector).toEqual({ matchLabels: { 'lifecycle.inopsio.io/backup-schedule': 'backup-acme' } });
    expect(schedule.podSelectorLabels).toEqual(np.spec.podSelector.matchLabels);
    expect(np.spec.policyTypes).toEqual(['Egress']);
    const pods = (ns: string, labels: Record<string, string>) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector: { matchLabels: labels } });
    expect(np.spec.egress).toEqual([
      { to: [pods('databases', { 'app.kubernetes.io/name': 'postgresql' })], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [pods('databases', { app: 'scratch-pg' })], ports: [{ protocol: 'TCP', port: 5433 }] },
      { to: [pods('minio', { 'app.kubernetes.io/name': 'minio' })], ports: [{ protocol: 'TCP', port: 9000 }] },
      { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ ipBlock: { cidr: '10.0.50.0/24' } }], ports: [{ protocol: 'TCP', port: 8200 }] },
      { to: [pods('monitoring', { 'app.kubernetes.io/name': 'prometheus-pushgateway' })], ports: [{ protocol: 'TCP', port: 9091 }] },
    ]);
    // Every pod the policy is meant for carries the selector (a policy must select pods that exist, K07).
    for (const c of cronJobs(docs)) expect(c.spec.jobTemplate.spec.template.metadata.labels).toMatchObject(np.spec.podSelector.matchLabels);
    expect(JSON.stringify(np)).not.toContain('0.0.0.0/0');
    // Defaults: the drill shares the database rule, nothing for Vault or a Pushgateway.
    expect(byKind(build().docs, 'NetworkPolicy')[0].spec.egress).toHaveLength(3);
  });

  test('on-demand backup: a Job with exactly the CronJob\'s job template, in any chart (spec §8/§9)', () => {
    const app = Testing.app();
    const base = new Chart(app, 'Base');
    const schedule = new BackupSchedule(base, 'Backup', props());
    const decommission = new Chart(app, 'Decommission');
    const job = schedule.onDemandJob(decommission, 'FinalBackup', 'final-backup');
    app.synth();
    const [cron] = cronJobs(Testing.synth(base));
    const [doc] = Testing.synth(decommission);
    expect(doc.apiVersion).toBe('batch/v1');
    expect(doc.kind).toBe('Job');
    expect(doc.metadata).toEqual({
      name: 'final-backup',
      namespace: 'prod-acme',
      labels: cron.spec.jobTemplate.metadata.labels,
      annotations: { 'lifecycle.inopsio.io/job-template-of': 'cronjob/backup-acme' },
    });
    expect(doc.spec).toEqual(cron.spec.jobTemplate.spec);
    expect(job.toJson()).toEqual(doc);
    expectValidManifests([doc]);
    // The Job is a copy: patching it leaves the CronJob alone.
    job.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/image', 'patched'));
    expect(job.toJson().spec.template.spec.containers[0].image).toBe('patched');
    expect(cronJobs(Testing.synth(base))[0].spec.jobTemplate.spec).toEqual(cron.spec.jobTemplate.spec);

    expect(problemsOf(() => schedule.onDemandJob(decommission, 'Bad', 'Final Backup'))).toEqual([
      'Base/Backup.onDemandJob: name contains uppercase letters (got "Final Backup"); use a DNS-1123 label of at most 63 characters, e.g. "final-backup"',
    ]);
  });

  test('suspended and archived tenants: inside their TenantChart the CronJobs render suspend: true', () => {
    for (const state of [TenantState.SUSPENDED, TenantState.ARCHIVED]) {
      const tenant = new Tenant({ id: 'acme', state });
      const chart = new TenantChart(Testing.app(), 'Acme', { environment: prod, tenant });
      new BackupSchedule(chart, 'Backup', props({}, prod, tenant));
      const docs = Testing.synth(chart);
      const jobs = cronJobs(docs);
      expect(jobs).toHaveLength(2);
      for (const c of jobs) expect(c.spec.suspend).toBe(true);
      expectValidManifests(docs);
    }
    const active = new TenantChart(Testing.app(), 'Acme', { environment: prod, tenant: acme });
    new BackupSchedule(active, 'Backup', props());
    for (const c of cronJobs(Testing.synth(active))) expect(c.spec.suspend).toBe(false);
  });

  /** Literal secrets that must never appear: PEM blocks, password assignments, URLs with credentials. */
  function secretFindings(docs: any[]): string[] {
    const findings: string[] = [];
    for (const doc of docs) {
      if (doc.kind === 'Secret') findings.push(`${doc.metadata.name}: kind Secret (K44)`);
      const scripts = doc.kind === 'ConfigMap' ? Object.values(doc.data ?? {}).join('\n') : '';
      const rest = JSON.stringify(doc.kind === 'ConfigMap' ? { ...doc, data: undefined } : doc);
      for (const [re, what] of [
        [/-----BEGIN/, 'PEM block'],
        [/password"?\s*(=|:(?!-))\s*"?[^\s"',{}]/i, 'password assignment'],
        [/postgres(ql)?:\/\/[^\s/:@]+:[^\s/@]+@/i, 'database URL with credentials'],
        [/https?:\/\/[^\s/:@]+:[^\s/@]+@/i, 'URL with credentials'],
        [/PGPASSWORD=/, 'PGPASSWORD assignment'],
      ] as Array<[RegExp, string]>) {
        if (re.test(rest) || re.test(scripts)) findings.push(`${doc.kind}/${doc.metadata.name}: ${what}`);
      }
      // SQL in the scripts says BEGIN; anywhere else a BEGIN is a leaked key or certificate.
      if (/BEGIN/.test(rest)) findings.push(`${doc.kind}/${doc.metadata.name}: BEGIN`);
    }
    return findings;
  }

  test('K42–K44: no secret values anywhere in the output; the scanner itself catches planted ones', () => {
    const { docs, schedule } = build({ pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091', pushgatewayEgress: EgressTarget.podsInNamespace('monitoring', { app: 'pgw' }, 9091) });
    const job = schedule.onDemandJob(Testing.chart(), 'Final', 'final-backup').toJson();
    expect(secretFindings([...docs, job])).toEqual([]);
    const env = (value: string) => ({ kind: 'Job', metadata: { name: 'x' }, spec: { env: [{ name: 'X', value }] } });
    expect(secretFindings([env('password=hunter2')])).toHaveLength(1);
    expect(secretFindings([{ kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'app.yaml': 'db:\n  password: hunter2\n' } }])).toHaveLength(1);
    expect(secretFindings([env('postgres://app:hunter2@db:5432/acme')])).toHaveLength(1);
    expect(secretFindings([env('-----BEGIN RSA PRIVATE KEY-----')]).length).toBeGreaterThan(0);
    expect(secretFindings([{ kind: 'Secret', metadata: { name: 's' }, data: {} }])).toHaveLength(1);
  });

  test('credentials cannot be inlined: endpoints and Pushgateway URLs with user:password@ are refused (B13)', () => {
    const problems = problemsOf(() => build({
      primaryStore: { endpoint: 'https://minio:minio123@minio.minio.svc:9000', bucket: 'tenant-backups', egress: MINIO_EGRESS },
      pushgatewayUrl: 'http://admin:admin@pushgateway:9091',
      pushgatewayEgress: EgressTarget.cidr('10.0.0.0/24', 9091),
    }));
    expect(problems.map(p => p.split(' ')[1])).toEqual(['primaryStore.endpoint', 'pushgatewayUrl']);
  });

  test('fails if the class keeps no backups, copies nothing offsite, or the tenant has no database', () => {
    const dev = new Environment({ name: 'dev', environmentClass: EnvironmentClass.DEVELOPMENT, createdAt: created });
    expect(problemsOf(() => build({}, dev))).toEqual([
      'test/Backup: environment has class "development", which keeps no backups (BackupPolicy.NONE) (got "dev"); do not create a BackupSchedule here, or give the class BackupPolicy.DAILY',
    ]);
    const noOffsite = new Environment({ name: 'qa', environmentClass: EnvironmentClass.custom({ name: 'qa', lifecycle: LifecycleKind.PERSISTENT, owner: 'QA', backup: BackupPolicy.daily({ offsite: false }) }) });
    expect(problemsOf(() => build({}, noOffsite))[0]).toContain('environment has class "qa" whose backup policy has offsite: false');
    expect(problemsOf(() => build({}, prod, new Tenant({ id: 'acme', database: false })))).toEqual([
      'test/Backup: tenant has no database (database: false) and tenantObjects is not set: there is nothing to back up (got "acme"); pass tenantObjects: { endpoint, bucket, egress } so that its objects are backed up',
      'test/Backup: database is set, but tenant "acme" has no database (database: false) (got "postgres.databases.svc"); leave database out: the backup of a tenant without a database is its objects',
    ]);
  });

  test('a tenant with objects and no database (issue 23): the same CronJobs, without database credentials, settings or egress', () => {
    const files = new Tenant({ id: 'files', database: false });
    const DATA_EGRESS = EgressTarget.podsInNamespace('minio', { 'app.kubernetes.io/name': 'tenant-data' }, 9000);
    const { docs } = build({ database: undefined, tenantObjects: { endpoint: 'https://data.minio.svc:9000', bucket: 'tenant-data', egress: DATA_EGRESS } }, prod, files);
    expectValidManifests(docs);
    expect(docs.map(d => `${d.kind}/${d.metadata.name}`)).toEqual([
      'ConfigMap/backup-files-scripts', 'ServiceAccount/backup-files', 'NetworkPolicy/backup-files-egress', 'CronJob/backup-files', 'CronJob/backup-files-restore-drill',
    ]);
    for (const cron of cronJobs(docs)) {
      const template = cron.spec.jobTemplate.spec.template;
      const annotations = template.metadata.annotations;
      const secrets = Object.keys(annotations).filter(k => k.startsWith('vault.hashicorp.com/agent-inject-secret-')).map(k => k.slice('vault.hashicorp.com/agent-inject-secret-'.length));
      expect(secrets.filter(f => /pg/.test(f))).toEqual([]);
      expect(Object.values(annotations).join('\n')).not.toMatch(/database-prod/);
      expect(template.spec.containers[0].env.map((e: any) => e.name)).toEqual(['HOME']);
      expect(template.spec.volumes.map((v: any) => v.name)).not.toContain('postgres-ca');
    }
    const [backup, drill] = cronJobs(docs).map(c => Object.keys(c.spec.jobTemplate.spec.template.metadata.annotations)
      .filter(k => k.startsWith('vault.hashicorp.com/agent-inject-secret-')).map(k => k.slice('vault.hashicorp.com/agent-inject-secret-'.length)));
    expect(backup.sort()).toEqual(['objects-access-key', 'objects-secret-key', 'offsite-access-key', 'offsite-secret-key', 'primary-access-key', 'primary-secret-key']);
    expect(drill.sort()).toEqual(['primary-access-key', 'primary-secret-key']);
    const policy = byKind(docs, 'NetworkPolicy')[0];
    expect(policy.metadata.annotations ?? {}).toEqual({});
    expect(policy.spec.egress.map((r: any) => r.ports[0].port)).toEqual([9000, 443, 9000]);
    expect(JSON.stringify(policy.spec.egress)).not.toContain('postgresql');
    const data = byKind(docs, 'ConfigMap')[0].data;
    expect(data['backup.sh']).toContain("readonly CFG_DATABASE_ENABLED='0'");
    expect(data['restore-drill.sh']).toContain("readonly CFG_DATABASE_ENABLED='0'");
  });

  test('fails with every input problem at once: hosts, buckets, egress, TLS, Pushgateway, Vault names, quantities, LimitRange', () => {
    const problems = problemsOf(() => build({
      database: { host: 'postgres://db', egress: undefined as any, name: 'db=evil', sslMode: PostgresSslMode.VERIFY_CA },
      primaryStore: { endpoint: 'https://minio:9000/path', bucket: 'Bad_Bucket', egress: MINIO_EGRESS },
      offsiteStore: { endpoint: 'ftp://s3.example.com', bucket: 'x', egress: OFFSITE_EGRESS },
      pushgatewayUrl: 'http://pushgateway:9091',
      vaultRole: 'Prod/Acme',
      vaultAuthPath: 'kubernetes-prod',
      cpuRequest: Quantity.parse('2', QuantityKind.CPU),
      cpuLimit: Quantity.parse('1', QuantityKind.CPU),
      memoryLimit: Quantity.gibibytes(64),
      memoryRequest: Quantity.parse('1', QuantityKind.CPU),
    }));
    expect(problems.map(p => p.split(' ')[1])).toEqual([
      'database.egress',
      'database.host',
      'database.name',
      'database.caConfigMap',
      'primaryStore.endpoint',
      'primaryStore.bucket',
      'offsiteStore.endpoint',
      'offsiteStore.bucket',
      'vaultRole',
      'vaultAuthPath',
      'pushgatewayEgress',
      'memoryRequest',
      'cpuRequest',
      'memoryLimit',
    ]);
    expect(problems[problems.length - 1]).toBe('test/Backup: memoryLimit gives the container 64Gi (ephemeral storage is workVolumeSize + 256Mi), above the LimitRange maximum 8Gi of quota profile "standard" (got "64Gi"); lower it, or give the tenant a larger QuotaProfile (K09–K11)');
    for (const p of problems) expect(p).toMatch(/^test\/Backup: \S+ .+ \(got .*\); .+$/);
  });

  test('built from a checked plan (fromPlan) it is the same as built from props; its names are the plan\'s', () => {
    const over = { pushgatewayUrl: 'http://pushgateway.monitoring.svc:9091', pushgatewayEgress: MINIO_EGRESS, keepLast: 4 };
    const { schedule, docs } = build(over);
    const plan = TenantBackupPlan.of(props(over));
    const chart = Testing.chart();
    const fromPlan = BackupSchedule.fromPlan(chart, 'Backup', plan);
    expect(Testing.synth(chart)).toEqual(docs);
    expect(fromPlan.plan).toBe(plan);
    expect([schedule.cronJobName, schedule.serviceAccountName, schedule.vaultRole, schedule.activeDeadlineSeconds])
      .toEqual([plan.names.cronJob, plan.names.serviceAccount, plan.names.vaultRole, plan.deadlines.backupSeconds]);
    expect(schedule.scriptOptions).toEqual(plan.scripts.options);
  });

  test('exposes what the ObservabilityStack and the decommission plan need', () => {
    const { schedule } = build();
    expect(schedule.metricKinds).toEqual([...BACKUP_METRIC_KINDS]);
    expect(schedule.metricNames).toEqual(BACKUP_METRICS.map(m => m.name));
    expect(schedule.metricNames).toContain('inopsio_backup_last_success_timestamp_seconds');
    expect(schedule).toMatchObject({ schedule: '15 2 * * *', restoreDrillSchedule: '45 4 * * 0', timeZone: 'Etc/UTC', configMapName: 'backup-acme-scripts', networkPolicyName: 'backup-acme-egress' });
    expect(schedule.cronJob.name).toBe(schedule.cronJobName);
    expect(schedule.restoreDrillCronJob.name).toBe(schedule.restoreDrillCronJobName);
    expect(schedule.node.findChild('Resource')).toBe(schedule.cronJob);
  });

  /**
   * @monokle/validation (pure JS, ESM-only, so run in a child node) with its offline plugins only: Pod Security
   * Standards (restricted rules switched on) and best practices. `image-tagged` stays off: K30 pins by digest.
   */
  function monokleFindings(docs: any[]): string[] {
    const rules = [
      'host-process', 'host-namespaces', 'privileged-containers', 'capabilities', 'host-path-volumes', 'host-ports', 'app-armor', 'selinux', 'proc-mount', 'seccomp', 'sysctls',
      'volume-types', 'privilege-escalation', 'running-as-non-root', 'running-as-non-root-user', 'seccomp-strict', 'capabilities-strict',
    ].map(r => `pod-security-standards/${r}`).concat([
      'drop-capabilities', 'no-sys-admin', 'no-mounted-docker-sock', 'cpu-limit', 'no-latest-image', 'no-writable-fs', 'cpu-request', 'memory-request', 'memory-limit',
      'no-low-user-id', 'no-low-group-id', 'no-root-group', 'no-pod-execute', 'no-pod-create', 'no-automount-service-account-token', 'no-ssh-exposed', 'no-secret-env',
      'no-secret-mounted-as-env', 'privileged-ports', 'no-exposed-service', 'mount-propagation',
    ].map(r => `practices/${r}`));
    const script = `
      import { createDefaultMonokleValidator } from ${JSON.stringify(pathToFileURL(require.resolve('@monokle/validation')).href)};
      let input = '';
      for await (const chunk of process.stdin) input += chunk;
      const docs = JSON.parse(input);
      const resources = docs.map((d, i) => ({ id: 'r' + i, fileId: 'f', filePath: 'out.yaml', fileOffset: 0, name: d.metadata.name, apiVersion: d.apiVersion, kind: d.kind, namespace: d.metadata.namespace, content: d, text: JSON.stringify(d) }));
      const validator = createDefaultMonokleValidator();
      await validator.preload({
        plugins: { 'pod-security-standards': true, 'practices': true, 'open-policy-agent': false, 'kubernetes-schema': false, 'resource-links': false, 'yaml-syntax': false, 'metadata': false },
        rules: Object.fromEntries(${JSON.stringify(rules)}.map(r => [r, 'err'])),
      });
      const res = await validator.validate({ resources });
      const out = [];
      for (const run of res.runs) for (const r of run.results) out.push(r.ruleId + ' ' + r.message.text + ' ' + (r.locations?.[1]?.logicalLocations?.[0]?.fullyQualifiedName ?? ''));
      process.stdout.write(JSON.stringify(out));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { input: JSON.stringify(docs), encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`monokle failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  test('second opinion: @monokle/validation (PSS restricted + practices, offline plugins) finds nothing, and does find a planted bad pod', () => {
    const { docs, schedule } = build();
    expect(monokleFindings([...docs, schedule.onDemandJob(Testing.chart(), 'Final', 'final-backup').toJson()])).toEqual([]);
    const bad = JSON.parse(JSON.stringify(cronJobs(docs)[0]));
    const pod = bad.spec.jobTemplate.spec.template.spec;
    pod.hostNetwork = true;
    delete pod.securityContext;
    pod.containers[0].securityContext = { privileged: true };
    delete pod.containers[0].resources;
    const findings = monokleFindings([bad]).map(f => f.split(' ')[0]);
    expect(findings).toEqual(expect.arrayContaining(['PSS102', 'PSS103', 'PSS203', 'PSS205', 'KBP003', 'KBP005', 'KBP102']));
  });

  test('the App synthesizes it as YAML kubectl accepts (strings stay strings)', () => {
    const app = new App({ outdir: `${process.env.TMPDIR ?? '/tmp'}/backup-schedule-yaml` });
    const chart = new Chart(app, 'c');
    new BackupSchedule(chart, 'Backup', props());
    const yaml = Yaml.stringify(...Testing.synth(chart));
    const docs = YAML.parseAllDocuments(yaml, { version: '1.1' }).map(d => d.toJS());
    const annotations = cronJobs(docs)[0].spec.jobTemplate.spec.template.metadata.annotations;
    expect(annotations['vault.hashicorp.com/agent-inject-perms-pgpass']).toBe('0400');
    expect(annotations['vault.hashicorp.com/agent-inject']).toBe('true');
    expect(annotations['vault.hashicorp.com/agent-run-as-user']).toBe('10001');
  });
});

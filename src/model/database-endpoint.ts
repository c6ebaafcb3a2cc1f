/** How clients verify the tenant database's TLS certificate. Unverified modes are not offered (V04). */
export enum DatabaseSslMode {
  /** Verify the certificate chain and the host name. */
  VERIFY_FULL = 'verify-full',
  /** Verify the certificate chain only. */
  VERIFY_CA = 'verify-ca',
}

/**
 * The PostgreSQL server of an environment's tenant databases: the facts Vault's database connection and the
 * connection strings rendered into pods share (the database name comes from `tenantVaultNames`).
 */
export interface DatabaseEndpoint {
  /** Host name or address, as both Vault and the pods reach it, e.g. `postgres.databases.svc`. */
  readonly host: string;
  /**
   * TCP port.
   * @default 5432
   */
  readonly port?: number;
  /**
   * TLS verification.
   * @default DatabaseSslMode.VERIFY_FULL
   */
  readonly sslMode?: DatabaseSslMode;
}

const HOST = /^(?:[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$/;

/** Every problem of a database endpoint, as field, problem, got and fix. */
export function databaseEndpointProblems(db: DatabaseEndpoint): Array<{ field: string; problem: string; got: unknown; fix: string }> {
  const out: Array<{ field: string; problem: string; got: unknown; fix: string }> = [];
  if (typeof db?.host !== 'string' || db.host.length > 253 || (!HOST.test(db.host) && !/^[0-9a-fA-F:.]+$/.test(db.host))) {
    out.push({ field: 'host', problem: 'is not a host name or address', got: db?.host, fix: 'write e.g. "postgres.databases.svc" (no scheme, port or credentials)' });
  }
  if (db?.port !== undefined && (!Number.isInteger(db.port) || db.port < 1 || db.port > 65_535)) {
    out.push({ field: 'port', problem: 'is not a TCP port', got: db.port, fix: 'use an integer from 1 to 65535, e.g. 5432' });
  }
  if (db?.sslMode !== undefined && !Object.values(DatabaseSslMode).includes(db.sslMode)) {
    out.push({ field: 'sslMode', problem: 'does not verify the server certificate', got: db.sslMode, fix: 'use DatabaseSslMode.VERIFY_FULL or VERIFY_CA (V04)' });
  }
  return out;
}

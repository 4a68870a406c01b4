// SqlClient on a Databricks SQL warehouse through @databricks/sql. Authenticates with the same credentials
// provider as the REST client (PAT, OAuth M2M, Entra ID), binds values as named parameters, fetches rows in
// chunks so a large result streams, and always closes what it opens: each operation after its rows, the
// session and connection on close(). Telemetry is off and the driver's own logging is silenced (the engine
// never prints). The driver is injectable, so tests run without a network.
import { RemoteApiError, UserError } from '../errors/index.ts';
import type { CredentialsProvider } from '../workspace/auth/types.ts';
import { registerSecret } from '../redaction/index.ts';
import { scrubSecrets } from '../workspace/redact.ts';
import type { SqlClient, SqlParams, SqlRow } from './types.ts';

/** The parts of DBSQLClient this client uses (structural, so a test can pass a fake). */
export interface SqlDriver {
  connect(options: SqlDriverConnectOptions): Promise<unknown>;
  openSession(request?: { initialCatalog?: string; initialSchema?: string }): Promise<SqlDriverSession>;
  close(): Promise<void>;
}

export interface SqlDriverConnectOptions {
  host: string;
  port: number;
  path: string;
  authType: 'custom';
  provider: { authenticate(): Promise<Record<string, string>> };
  telemetryEnabled: false;
  preserveBigNumericPrecision: true;
  userAgentEntry: string;
}

export interface SqlDriverSession {
  executeStatement(statement: string, options: { namedParameters?: Record<string, SqlParamValue>; maxRows?: number; runAsync?: boolean }): Promise<SqlDriverOperation>;
  close(): Promise<unknown>;
}

export interface SqlDriverOperation {
  fetchChunk(options: { maxRows: number; disableBuffering?: boolean }): Promise<object[]>;
  hasMoreRows(): Promise<boolean>;
  /** Used to spot DECIMAL columns, which the driver returns as exact strings. */
  getSchema?(): Promise<{ columns?: { columnName?: string; typeDesc?: { types?: { primitiveEntry?: { type?: number } }[] } }[] } | null>;
  close(): Promise<unknown>;
}

export type SqlParamValue = null | boolean | number | bigint | string | Date;

export interface DatabricksSqlOptions {
  /** Workspace URL, e.g. https://adb-123.4.azuredatabricks.net */
  host: string;
  warehouseId: string;
  credentials: CredentialsProvider;
  /** Session defaults, so unqualified names resolve like in the bundle. */
  catalog?: string;
  schema?: string;
  /** Rows per fetch (default 10,000). */
  chunkRows?: number;
  /** Creates the driver; defaults to a DBSQLClient with a silent logger. */
  driver?: () => SqlDriver | Promise<SqlDriver>;
}

const DEFAULT_CHUNK_ROWS = 10_000;
/** TTypeId.DECIMAL_TYPE in the driver's Thrift definitions. */
const DECIMAL_TYPE = 15;

/** `/sql/1.0/warehouses/<id>`: the HTTP path of a SQL warehouse. */
export function warehousePath(warehouseId: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(warehouseId)) throw new UserError(`"${warehouseId}" is not a SQL warehouse id`);
  return `/sql/1.0/warehouses/${warehouseId}`;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The driver wants a bare host name and a port: it always speaks https. A loopback workspace on plain http
 * (`dbx-ts local serve`) answers TLS on the same port, so the SQL connector reaches it there.
 */
function driverHost(host: string): { host: string; port: number } {
  const url = new URL(host.includes('://') ? host : `https://${host}`);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new UserError(`The SQL connector needs an https workspace URL, not ${url.origin}`);
  }
  return { host: url.hostname, port: url.port === '' ? 443 : Number(url.port) };
}

async function defaultDriver(): Promise<SqlDriver> {
  // Loaded on first use: the driver pulls in Thrift, Arrow and winston, which no other command needs.
  const { DBSQLClient } = await import('@databricks/sql');
  const silent = { log: () => {} };
  return new DBSQLClient({ logger: silent }) as unknown as SqlDriver;
}

export function toSqlParam(name: string, value: unknown): SqlParamValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint' || value instanceof Date) return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new UserError(`Parameter :${name} is not a finite number.`);
    return value;
  }
  throw new UserError(`Parameter :${name} has an unsupported type (${typeof value}).`, 'Pass strings, numbers, booleans, bigints, Dates or null.');
}

/** Driver values as SqlRow promises them: exact numbers, else strings; timestamps as ISO text. */
function rowValue(value: unknown, decimal: boolean): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (decimal && typeof value === 'string') {
    const n = Number(value);
    const scale = value.includes('.') ? value.length - value.indexOf('.') - 1 : 0;
    return Number.isFinite(n) && n.toFixed(scale) === value ? n : value;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

export class DatabricksSql implements SqlClient {
  private driver: SqlDriver | undefined;
  private session: Promise<SqlDriverSession> | undefined;
  private closed = false;

  constructor(private readonly options: DatabricksSqlOptions) {
    warehousePath(options.warehouseId);
    driverHost(options.host);
  }

  async *query(sql: string, params: SqlParams = {}): AsyncGenerator<SqlRow> {
    const session = await this.openSession();
    const namedParameters: Record<string, SqlParamValue> = {};
    for (const [name, value] of Object.entries(params)) namedParameters[name] = toSqlParam(name, value);
    const chunkRows = this.options.chunkRows ?? DEFAULT_CHUNK_ROWS;
    const operation = await this.guard(() =>
      session.executeStatement(sql, { ...(Object.keys(namedParameters).length > 0 ? { namedParameters } : {}), maxRows: chunkRows, runAsync: true }),
    );
    try {
      const decimals = await this.decimalColumns(operation);
      do {
        const rows = await this.guard(() => operation.fetchChunk({ maxRows: chunkRows, disableBuffering: true }));
        for (const row of rows as Record<string, unknown>[]) {
          const out: SqlRow = {};
          for (const [key, value] of Object.entries(row)) out[key] = rowValue(value, decimals.has(key));
          yield out;
        }
      } while (await this.guard(() => operation.hasMoreRows()));
    } finally {
      // Also when the caller stops early (break, or an error while formatting): free the server-side cursor.
      await operation.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const session = this.session;
    const driver = this.driver;
    try {
      if (session) await (await session.catch(() => undefined))?.close();
    } finally {
      await driver?.close();
    }
  }

  private openSession(): Promise<SqlDriverSession> {
    if (this.closed) return Promise.reject(new UserError('The Databricks SQL client is already closed.'));
    this.session ??= this.connect();
    return this.session;
  }

  private async connect(): Promise<SqlDriverSession> {
    const { options } = this;
    const driver = await (options.driver ?? defaultDriver)();
    this.driver = driver;
    await this.guard(() =>
      driver.connect({
        ...driverHost(options.host),
        path: warehousePath(options.warehouseId),
        authType: 'custom',
        // Headers come from the same provider as REST calls, so OAuth tokens are fetched and refreshed once.
        provider: {
          authenticate: async () => {
            const headers = await options.credentials.headers();
            registerSecret(...options.credentials.knownSecrets());
            return headers;
          },
        },
        telemetryEnabled: false,
        preserveBigNumericPrecision: true,
        userAgentEntry: 'dbx-ts',
      }),
    );
    return this.guard(() =>
      driver.openSession({
        ...(options.catalog ? { initialCatalog: options.catalog } : {}),
        ...(options.schema ? { initialSchema: options.schema } : {}),
      }),
    );
  }

  private async decimalColumns(operation: SqlDriverOperation): Promise<Set<string>> {
    if (!operation.getSchema) return new Set();
    const schema = await this.guard(() => operation.getSchema!());
    const names = (schema?.columns ?? [])
      .filter((c) => c.typeDesc?.types?.[0]?.primitiveEntry?.type === DECIMAL_TYPE)
      .map((c) => c.columnName ?? '');
    return new Set(names);
  }

  /** Driver errors become RemoteApiErrors whose text never carries a credential. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof UserError || error instanceof RemoteApiError) throw error;
      const message = scrubSecrets(error instanceof Error ? error.message : String(error), this.options.credentials.knownSecrets());
      throw new RemoteApiError(`SQL warehouse ${this.options.warehouseId}: ${message}`, { error_code: 'SQL_ERROR', path: warehousePath(this.options.warehouseId) });
    }
  }
}

/** A Databricks identifier in backticks, embedded backticks doubled. */
export function quoteDatabricksIdent(identifier: string): string {
  return `\`${identifier.replaceAll('`', '``')}\``;
}

/** `catalog.schema.table` with each part quoted. */
export function quoteDatabricksName(parts: readonly string[]): string {
  return parts.map(quoteDatabricksIdent).join('.');
}

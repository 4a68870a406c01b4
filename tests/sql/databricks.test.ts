// The Databricks SQL warehouse client through an injected driver that behaves like DBSQLClient: connection
// settings, auth from the workspace credentials, named parameters, chunked streaming, value conversion, and
// that every operation, session and connection is closed, also on errors and early exits.
import { describe, expect, it } from 'vitest';
import { RemoteApiError, UserError } from '../../src/errors/index.ts';
import {
  DatabricksSql,
  quoteDatabricksIdent,
  quoteDatabricksName,
  warehousePath,
  type SqlDriver,
  type SqlDriverConnectOptions,
  type SqlDriverOperation,
} from '../../src/sql/databricks.ts';
import type { CredentialsProvider } from '../../src/workspace/index.ts';

const TOKEN = 'dapi-super-secret-token-123';

const credentials: CredentialsProvider = {
  authType: 'pat',
  headers: async () => ({ Authorization: `Bearer ${TOKEN}` }),
  knownSecrets: () => [TOKEN],
};

interface Executed {
  statement: string;
  options: Parameters<Awaited<ReturnType<SqlDriver['openSession']>>['executeStatement']>[1];
}

/** A fake DBSQLClient serving `rows` in chunks of the requested size; records everything it is asked. */
function fakeDriver(rows: Record<string, unknown>[], opts: { decimals?: string[]; failOn?: 'connect' | 'execute' | 'fetch' } = {}) {
  const log = {
    connect: [] as SqlDriverConnectOptions[],
    sessions: [] as unknown[],
    executed: [] as Executed[],
    fetches: [] as number[],
    operationsOpen: 0,
    operationsClosed: 0,
    sessionsClosed: 0,
    clientsClosed: 0,
    authHeaders: [] as Record<string, string>[],
  };
  const driver: SqlDriver = {
    async connect(options) {
      log.connect.push(options);
      log.authHeaders.push(await options.provider.authenticate());
      if (opts.failOn === 'connect') throw new Error(`401 Unauthorized for token ${TOKEN}`);
      return driver;
    },
    async openSession(request) {
      log.sessions.push(request);
      return {
        async executeStatement(statement, options) {
          log.executed.push({ statement, options });
          if (opts.failOn === 'execute') throw new Error('[PARSE_SYNTAX_ERROR] Syntax error at or near SELEC');
          log.operationsOpen++;
          let offset = 0;
          const operation: SqlDriverOperation = {
            async fetchChunk({ maxRows }) {
              log.fetches.push(maxRows);
              if (opts.failOn === 'fetch') throw new Error('connection lost');
              const chunk = rows.slice(offset, offset + maxRows);
              offset += chunk.length;
              return chunk;
            },
            async hasMoreRows() {
              return offset < rows.length;
            },
            async getSchema() {
              return { columns: Object.keys(rows[0] ?? {}).map((name) => ({ columnName: name, typeDesc: { types: [{ primitiveEntry: { type: opts.decimals?.includes(name) ? 15 : 7 } }] } })) };
            },
            async close() {
              log.operationsClosed++;
              return {};
            },
          };
          return operation;
        },
        async close() {
          log.sessionsClosed++;
          return {};
        },
      };
    },
    async close() {
      log.clientsClosed++;
    },
  };
  return { driver, log };
}

function client(driver: SqlDriver, chunkRows = 2) {
  return new DatabricksSql({
    host: 'https://adb-1234567890123456.7.azuredatabricks.net',
    warehouseId: 'abc123def456',
    credentials,
    catalog: 'sales_lakehouse',
    chunkRows,
    driver: () => driver,
  });
}

async function all<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe('connecting', () => {
  it('connects to the warehouse path with the workspace credentials, telemetry off, exact numbers on', async () => {
    const { driver, log } = fakeDriver([{ n: 1 }]);
    const sql = client(driver);
    await all(sql.query('SELECT 1 AS n'));
    await sql.close();
    expect(log.connect).toHaveLength(1);
    expect(log.connect[0]).toMatchObject({
      host: 'adb-1234567890123456.7.azuredatabricks.net',
      path: '/sql/1.0/warehouses/abc123def456',
      authType: 'custom',
      telemetryEnabled: false,
      preserveBigNumericPrecision: true,
    });
    expect(log.authHeaders).toEqual([{ Authorization: `Bearer ${TOKEN}` }]);
    expect(log.sessions).toEqual([{ initialCatalog: 'sales_lakehouse' }]);
  });

  it('opens one session for many queries and closes session and connection on close()', async () => {
    const { driver, log } = fakeDriver([{ n: 1 }]);
    const sql = client(driver);
    await all(sql.query('SELECT 1'));
    await all(sql.query('SELECT 2'));
    expect(log.sessions).toHaveLength(1);
    await sql.close();
    await sql.close();
    expect(log.sessionsClosed).toBe(1);
    expect(log.clientsClosed).toBe(1);
    await expect(all(sql.query('SELECT 3'))).rejects.toThrow(UserError);
  });

  it('refuses plain http and ids that are not warehouse ids', () => {
    const { driver } = fakeDriver([]);
    expect(() => new DatabricksSql({ host: 'http://example.com', warehouseId: 'abc', credentials, driver: () => driver })).toThrow(/https/);
    expect(() => warehousePath('abc/../../x')).toThrow(UserError);
  });

  it('closes the connection when it cannot authenticate, and never repeats the token', async () => {
    const { driver, log } = fakeDriver([], { failOn: 'connect' });
    const sql = client(driver);
    const error = await all(sql.query('SELECT 1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteApiError);
    expect((error as Error).message).toContain('401 Unauthorized');
    expect((error as Error).message).not.toContain(TOKEN);
    await sql.close();
    expect(log.clientsClosed).toBe(1);
  });
});

describe('queries', () => {
  it('binds values as named parameters, never into the SQL text', async () => {
    const { driver, log } = fakeDriver([{ n: 1 }]);
    const sql = client(driver);
    const hostile = "x'; DROP TABLE gold.sales_enriched; --";
    await all(sql.query('SELECT * FROM t WHERE name = :name AND qty > :qty AND at < :at', { name: hostile, qty: 5, at: new Date(0) }));
    await sql.close();
    expect(log.executed[0]!.statement).toBe('SELECT * FROM t WHERE name = :name AND qty > :qty AND at < :at');
    expect(log.executed[0]!.options.namedParameters).toEqual({ name: hostile, qty: 5, at: new Date(0) });
  });

  it('rejects parameter values it cannot bind', async () => {
    const { driver } = fakeDriver([]);
    const sql = client(driver);
    await expect(all(sql.query('SELECT :x', { x: { nested: true } }))).rejects.toThrow(/unsupported type/);
    await expect(all(sql.query('SELECT :x', { x: Number.NaN }))).rejects.toThrow(/finite/);
    await sql.close();
  });

  it('streams a large result chunk by chunk and closes the operation', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => ({ i }));
    const { driver, log } = fakeDriver(rows);
    const sql = client(driver, 3);
    const seen: number[] = [];
    for await (const row of sql.query('SELECT i FROM range(7)')) {
      seen.push(row['i'] as number);
      // Rows arrive before the whole result has been fetched.
      if (seen.length === 1) expect(log.fetches).toHaveLength(1);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(log.fetches).toEqual([3, 3, 3]);
    expect(log.executed[0]!.options.maxRows).toBe(3);
    expect(log.operationsClosed).toBe(1);
    await sql.close();
  });

  it('closes the operation when the caller stops early or fetching fails', async () => {
    const { driver, log } = fakeDriver(Array.from({ length: 10 }, (_, i) => ({ i })));
    const sql = client(driver, 2);
    for await (const _ of sql.query('SELECT i')) break;
    expect(log.operationsClosed).toBe(1);
    await sql.close();

    const failing = fakeDriver([{ i: 1 }], { failOn: 'fetch' });
    const sql2 = client(failing.driver);
    await expect(all(sql2.query('SELECT i'))).rejects.toThrow(/connection lost/);
    expect(failing.log.operationsClosed).toBe(1);
    await sql2.close();
    expect(failing.log.sessionsClosed).toBe(1);
  });

  it('reports a SQL error as a remote error naming the warehouse', async () => {
    const { driver } = fakeDriver([], { failOn: 'execute' });
    const sql = client(driver);
    await expect(all(sql.query('SELEC 1'))).rejects.toThrow(/SQL warehouse abc123def456: \[PARSE_SYNTAX_ERROR\]/);
    await sql.close();
  });

  it('gives exact numbers as numbers and the rest as text: bigints, decimals, timestamps', async () => {
    const { driver } = fakeDriver(
      [
        { id: 42n, big: 9007199254740993n, price: '19.90', huge: '12345678901234567890.12', at: new Date(Date.UTC(2024, 11, 31, 23, 5)), name: '19.90' },
      ],
      { decimals: ['price', 'huge'] },
    );
    const sql = client(driver);
    const [row] = await all(sql.query('SELECT ...'));
    await sql.close();
    expect(row).toEqual({ id: 42, big: '9007199254740993', price: 19.9, huge: '12345678901234567890.12', at: '2024-12-31T23:05:00.000Z', name: '19.90' });
  });
});

describe('identifiers', () => {
  it('quotes names with backticks, doubling backticks inside', () => {
    expect(quoteDatabricksIdent('sales')).toBe('`sales`');
    expect(quoteDatabricksIdent('we`ird')).toBe('`we``ird`');
    expect(quoteDatabricksName(['sales-lakehouse', 'gold', 'sales_enriched'])).toBe('`sales-lakehouse`.`gold`.`sales_enriched`');
  });
});

describe('the real driver', () => {
  it('has the shape the client relies on, and a custom auth provider and telemetry switch', async () => {
    const { DBSQLClient } = await import('@databricks/sql');
    const real = new DBSQLClient({ logger: { log: () => {} } });
    for (const method of ['connect', 'openSession', 'close'] as const) expect(typeof real[method]).toBe('function');
  });
});

// A SQL warehouse as @databricks/sql reaches one: the HiveServer2/Spark Thrift service (TCLIService, binary
// protocol over HTTP POST to /sql/1.0/warehouses/<id>), answered with the service definitions the driver itself
// ships, so both sides read and write the same structures. Sessions and operations live in memory; statements run
// on a backend the workspace is given (local serve: the served project's DuckDB databases). Results are returned
// column-based, with the column types Databricks uses.
import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any -- the driver's generated Thrift code is untyped JavaScript */
const TCLIService = require('@databricks/sql/thrift/TCLIService.js') as { Processor: new (handler: object) => { process(input: unknown, output: unknown): void } };
const T = require('@databricks/sql/thrift/TCLIService_types.js') as Record<string, any>;
const thrift = require('thrift') as { TBufferedTransport: new (buffer?: Buffer, onFlush?: (b: Buffer) => void) => any; TBinaryProtocol: new (transport: unknown) => unknown };
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface WarehouseSession {
  catalog?: string;
  schema?: string;
}

export interface StatementResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

/** Where statements run. */
export interface WarehouseBackend {
  execute(statement: string, params: Record<string, unknown>, session: WarehouseSession): Promise<StatementResult>;
}

interface Operation {
  result?: StatementResult;
  error?: string;
  fetched: number;
}

const SERVER_PROTOCOL = T['TProtocolVersion'].SPARK_CLI_SERVICE_PROTOCOL_V8 as number;
const ok = () => ({ statusCode: T['TStatusCode'].SUCCESS_STATUS });
const failed = (message: string) => ({ statusCode: T['TStatusCode'].ERROR_STATUS, errorMessage: message, displayMessage: message, sqlState: '42000' });
/** Handles are UUIDs (the driver prints them as such). */
const handleId = () => ({ guid: Buffer.from(randomUUID().replaceAll('-', ''), 'hex'), secret: randomBytes(16) });
const key = (id: { guid: Buffer }) => Buffer.from(id.guid).toString('hex');

/** A DuckDB type name as Databricks' column type. */
function typeOf(type: string): { id: number; qualifiers?: object } {
  const t = type.toUpperCase();
  const ids = T['TTypeId'];
  if (t === 'BOOLEAN') return { id: ids.BOOLEAN_TYPE };
  if (['TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT'].includes(t)) return { id: ids.INT_TYPE };
  if (['BIGINT', 'UINTEGER', 'HUGEINT', 'UBIGINT'].includes(t)) return { id: ids.BIGINT_TYPE };
  if (['FLOAT', 'DOUBLE', 'REAL'].includes(t)) return { id: ids.DOUBLE_TYPE };
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) {
    const q = (n: string) => new T['TTypeQualifierValue']({ i32Value: Number(n) });
    return { id: ids.DECIMAL_TYPE, qualifiers: new T['TTypeQualifiers']({ qualifiers: { precision: q(decimal[1]!), scale: q(decimal[2]!) } }) };
  }
  if (t === 'DATE') return { id: ids.DATE_TYPE };
  if (t.startsWith('TIMESTAMP')) return { id: ids.TIMESTAMP_TYPE };
  return { id: ids.STRING_TYPE };
}

function nullBitmap(values: unknown[]): Buffer {
  const bits = Buffer.alloc(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null || v === undefined) bits[i >> 3]! |= 1 << (i & 7);
  });
  return bits;
}

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

/** One column of the result in Thrift's column-based shape. */
function column(type: number, values: unknown[]) {
  const ids = T['TTypeId'];
  const nulls = nullBitmap(values);
  const of = (fill: unknown, map: (v: unknown) => unknown) => ({ values: values.map((v) => (v === null || v === undefined ? fill : map(v))), nulls });
  if (type === ids.BOOLEAN_TYPE) return new T['TColumn']({ boolVal: of(false, Boolean) });
  if (type === ids.INT_TYPE) return new T['TColumn']({ i32Val: of(0, Number) });
  if (type === ids.BIGINT_TYPE) return new T['TColumn']({ i64Val: of(0, Number) });
  if (type === ids.DOUBLE_TYPE) return new T['TColumn']({ doubleVal: of(0, Number) });
  return new T['TColumn']({ stringVal: of('', text) });
}

function sparkParams(parameters: { name?: string; type?: string; value?: { stringValue?: string } }[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of parameters ?? []) {
    if (p.name === undefined) continue;
    const raw = p.value?.stringValue;
    const type = (p.type ?? 'STRING').toUpperCase();
    if (raw === undefined || type === 'VOID') out[p.name] = null;
    else if (['INT', 'INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'DOUBLE', 'FLOAT', 'DECIMAL'].includes(type) || type.startsWith('DECIMAL')) out[p.name] = Number(raw);
    else if (type === 'BOOLEAN') out[p.name] = raw.toLowerCase() === 'true';
    else out[p.name] = raw;
  }
  return out;
}

/** The TCLIService handler: sessions and operations in memory, statements on the backend. */
function serviceHandler(backend: WarehouseBackend) {
  const sessions = new Map<string, WarehouseSession>();
  const operations = new Map<string, Operation>();
  const operation = (handle: { operationId: { guid: Buffer } }) => operations.get(key(handle.operationId));
  const invalid = () => ({ statusCode: T['TStatusCode'].INVALID_HANDLE_STATUS, errorMessage: 'Invalid OperationHandle' });

  return {
    async OpenSession(req: { client_protocol?: number; client_protocol_i64?: { toNumber(): number }; initialNamespace?: { catalogName?: string; schemaName?: string } }) {
      // Databricks drivers give their version in client_protocol_i64; client_protocol keeps its Hive default.
      const asked = req.client_protocol_i64 ? req.client_protocol_i64.toNumber() : (req.client_protocol ?? SERVER_PROTOCOL);
      const sessionId = handleId();
      const ns = req.initialNamespace ?? {};
      sessions.set(key(sessionId), { ...(ns.catalogName ? { catalog: ns.catalogName } : {}), ...(ns.schemaName ? { schema: ns.schemaName } : {}) });
      return new T['TOpenSessionResp']({
        status: ok(),
        serverProtocolVersion: Math.min(asked, SERVER_PROTOCOL),
        sessionHandle: { sessionId },
        canUseMultipleCatalogs: true,
        ...(req.initialNamespace ? { initialNamespace: req.initialNamespace } : {}),
      });
    },
    async CloseSession(req: { sessionHandle: { sessionId: { guid: Buffer } } }) {
      sessions.delete(key(req.sessionHandle.sessionId));
      return new T['TCloseSessionResp']({ status: ok() });
    },
    async ExecuteStatement(req: { sessionHandle: { sessionId: { guid: Buffer } }; statement: string; parameters?: [] }) {
      const session = sessions.get(key(req.sessionHandle.sessionId));
      if (!session) return new T['TExecuteStatementResp']({ status: { statusCode: T['TStatusCode'].INVALID_HANDLE_STATUS, errorMessage: 'Invalid SessionHandle' } });
      const op: Operation = { fetched: 0 };
      try {
        op.result = await backend.execute(req.statement, sparkParams(req.parameters), session);
      } catch (error) {
        // Databricks reports a statement's failure in the operation's status, as the driver expects.
        op.error = error instanceof Error ? error.message : String(error);
      }
      const operationId = handleId();
      operations.set(key(operationId), op);
      return new T['TExecuteStatementResp']({
        status: ok(),
        operationHandle: { operationId, operationType: T['TOperationType'].EXECUTE_STATEMENT, hasResultSet: op.result !== undefined },
      });
    },
    async GetOperationStatus(req: { operationHandle: { operationId: { guid: Buffer } } }) {
      const op = operation(req.operationHandle);
      if (!op) return new T['TGetOperationStatusResp']({ status: invalid() });
      if (op.error !== undefined) {
        return new T['TGetOperationStatusResp']({ status: ok(), operationState: T['TOperationState'].ERROR_STATE, errorMessage: op.error, displayMessage: op.error, sqlState: '42000' });
      }
      return new T['TGetOperationStatusResp']({ status: ok(), operationState: T['TOperationState'].FINISHED_STATE, hasResultSet: true });
    },
    async GetResultSetMetadata(req: { operationHandle: { operationId: { guid: Buffer } } }) {
      const op = operation(req.operationHandle);
      if (!op?.result) return new T['TGetResultSetMetadataResp']({ status: op ? failed(op.error ?? 'no result') : invalid() });
      const columns = op.result.columns.map((c, i) => {
        const { id, qualifiers } = typeOf(c.type);
        return { columnName: c.name, position: i + 1, typeDesc: { types: [{ primitiveEntry: { type: id, ...(qualifiers ? { typeQualifiers: qualifiers } : {}) } }] } };
      });
      return new T['TGetResultSetMetadataResp']({ status: ok(), schema: { columns }, resultFormat: T['TSparkRowSetType'].COLUMN_BASED_SET });
    },
    async FetchResults(req: { operationHandle: { operationId: { guid: Buffer } }; maxRows: number | { toNumber(): number } }) {
      const op = operation(req.operationHandle);
      if (!op?.result) return new T['TFetchResultsResp']({ status: op ? failed(op.error ?? 'no result') : invalid() });
      const max = typeof req.maxRows === 'number' ? req.maxRows : req.maxRows.toNumber();
      const start = op.fetched;
      const rows = op.result.rows.slice(start, start + Math.max(1, max));
      op.fetched += rows.length;
      const columns = op.result.columns.map((c, i) => column(typeOf(c.type).id, rows.map((r) => r[i])));
      return new T['TFetchResultsResp']({
        status: ok(),
        hasMoreRows: op.fetched < op.result.rows.length,
        results: { startRowOffset: start, rows: [], columns },
      });
    },
    async CancelOperation() {
      return new T['TCancelOperationResp']({ status: ok() });
    },
    async CloseOperation(req: { operationHandle: { operationId: { guid: Buffer } } }) {
      operations.delete(key(req.operationHandle.operationId));
      return new T['TCloseOperationResp']({ status: ok() });
    },
  };
}

/** Answers one Thrift-over-HTTP request body; resolves with the response body. */
export function thriftWarehouse(backend: WarehouseBackend): (body: Buffer) => Promise<Buffer> {
  const processor = new TCLIService.Processor(serviceHandler(backend));
  return (body) =>
    new Promise<Buffer>((resolve) => {
      const input = new thrift.TBufferedTransport();
      input.inBuf = Buffer.from(body);
      input.writeCursor = body.length;
      const output = new thrift.TBufferedTransport(undefined, (buf: Buffer) => resolve(buf));
      processor.process(new thrift.TBinaryProtocol(input), new thrift.TBinaryProtocol(output));
    });
}

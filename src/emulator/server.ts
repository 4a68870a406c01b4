// The in-process fake Databricks workspace: a real HTTP server on 127.0.0.1 with Databricks'
// semantics for the APIs dbx-ts uses, bearer-token auth, per-request latency, fault injection and a
// bounded, redacted request log. Used by end-to-end tests of the CLI and by `dbx-ts local serve`.
// A request is authenticated and its declared size checked before its body is read; a change is
// persisted (for a workspace kept in a directory) before the client hears back.
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, VirtualClock, realClock } from './clock.ts';
import { computeMlRoutes } from './handlers/compute-ml.ts';
import type { HandlerContext, Reply } from './handlers/context.ts';
import { filesRoutes } from './handlers/files.ts';
import { grantsRoutes } from './handlers/grants.ts';
import { identityRoutes } from './handlers/identity.ts';
import { jobsRoutes } from './handlers/jobs.ts';
import { lakeviewRoutes } from './handlers/lakeview.ts';
import { permissionsRoutes } from './handlers/permissions.ts';
import { pipelinesRoutes } from './handlers/pipelines.ts';
import { runsRoutes } from './handlers/runs.ts';
import { LivePipelineUpdates } from './sim/live-pipeline-updates.ts';
import { LiveRuns } from './sim/live-runs.ts';
import type { TaskExecutor } from './task-executor.ts';
import type { WarehouseBackend } from './sql/thrift-warehouse.ts';
import { createServer as createTlsServer } from 'node:https';
import { type Socket, createServer as createNetServer } from 'node:net';
import { Duplex } from 'node:stream';
import { secretsRoutes } from './handlers/secrets.ts';
import { DEFAULT_WAREHOUSES, type WarehouseSpec, warehousesRoutes } from './handlers/warehouses.ts';
import { unityCatalogRoutes } from './handlers/unity-catalog.ts';
import { workspaceRoutes } from './handlers/workspace.ts';
import { HttpApiError, malformedRequest } from './http/api-error.ts';
import { AuthRegistry, type OAuthClient, type TokenSpec } from './http/auth.ts';
import { type Fault, type FaultConfig, FaultInjector, faultName, lostStatus } from './http/faults.ts';
import { type JsonObject, isJsonObject, parseJson, toJson } from './http/json.ts';
import { type RequestRecord, RequestLog, describeRawBody, queryRecord, redactAuthorization, redactBody } from './http/request-log.ts';
import { type BodyKind, type Route, Router } from './http/router.ts';
import { checkRequestBody, checkRequestValue } from './http/strict-requests.ts';
import { type StreamedBody, readStreamedBody } from './http/json-stream.ts';
import { UserError } from '../errors/index.ts';
import { Scenario, type ScenarioInput } from './scenario.ts';
import { nextUuid } from './ids.ts';
import { type WorkspaceState, createWorkspaceState, unityCatalogOf } from './state.ts';
import { BodyTooLargeError, type BlobRef, readLimited } from './store/blobs.ts';
import { type WorkspaceStore, memoryStore, openStateDir } from './store/workspace-store.ts';
import { expireRuns } from './sim/run-retention.ts';

export interface FakeWorkspaceOptions {
  /** Accepted bearer tokens; by default one random PAT (returned as `token`). */
  tokens?: TokenSpec[];
  /** Service principals that may get tokens from /oidc/v1/token. */
  oauthClients?: OAuthClient[];
  faults?: FaultConfig;
  /** Seed for random faults. */
  seed?: number;
  /** Delay before every response, e.g. 50 for benchmarks that model a remote workspace. */
  latencyMs?: number;
  /** Issue job, run and object ids above 2^53. */
  bigIds?: boolean;
  /** `real` (default), `virtual` (starts at 2025-01-01, moves only when advanced) or a clock. */
  clock?: Clock | 'real' | 'virtual';
  /** Start from this state (kept in memory) instead of an empty workspace. */
  state?: WorkspaceState;
  /**
   * Keep the workspace in this directory: loaded at start (a state file that cannot be read refuses to
   * start), every change written as it happens, the directory locked while the server runs.
   */
  dir?: string;
  /** Names the holder of the directory's lock (default `dbx-ts emulator`). */
  lockCommand?: string;
  /**
   * `simulate` (default): job runs follow the scenario without executing anything (for tests of clients).
   * A task executor: runs execute their tasks through it (on the real clock), as `local serve` does.
   */
  runs?: 'simulate' | TaskExecutor;
  /** The SQL warehouses the workspace has (default: one, id `local`). */
  warehouses?: WarehouseSpec[];
  /** Runs the statements @databricks/sql sends to a warehouse (`/sql/1.0/warehouses/<id>`, Thrift over HTTP). */
  warehouseBackend?: WarehouseBackend;
  /**
   * Also speak TLS on the same port (the first byte of a connection tells which): @databricks/sql only connects
   * over https. PEM key and certificate (see sql/certificate.ts).
   */
  tls?: { key: string; cert: string };
  /** Initial script for simulated runs (also reachable later as `scenario`). */
  scenario?: ScenarioInput;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /**
   * Check JSON request bodies against the generated API schema and answer 400 on unknown fields,
   * missing required fields or bad enum values (end-to-end tests turn this on to catch client typos).
   */
  strictRequests?: boolean;
  /** Keep only the newest N request-log entries (default 10,000). */
  requestLogLimit?: number;
  /** Keep request bodies (redacted) in the log; off by default so a long-running server holds no bodies. */
  logBodies?: boolean;
  /**
   * Unity Catalog objects that exist from the start: catalogs by name, volumes by full name
   * (`<catalog>.<schema>.<volume>`, created with their catalog and schema). Added when missing, also to a state
   * loaded from a directory.
   */
  unityCatalog?: { catalogs?: string[]; volumes?: string[] };
  /**
   * Every catalog exists, as on the local workspace, whose metastore is the local engine (one DuckDB database per
   * catalog, made on first use). A real workspace, and the default fake one, has only the catalogs it was given.
   */
  catalogsOnDemand?: boolean;
}

export interface FakeWorkspace {
  /** Base URL, e.g. http://127.0.0.1:53123 (loopback, so plain http is allowed). */
  url: string;
  /** The first configured token. */
  token: string;
  state: WorkspaceState;
  /** Where the state lives (memory, or a locked directory). */
  store: WorkspaceStore;
  /** Requests received, oldest first (bounded), with credentials and secret values redacted. */
  requests: RequestRecord[];
  scenario: Scenario;
  clock: Clock;
  /** The bytes of a stored notebook or file. */
  readContent(ref: BlobRef): Promise<Buffer>;
  /** Moves a virtual clock forward (runs and pipeline updates progress); refused on the real clock. */
  advanceClock(ms: number): void;
  setFaults(config: FaultConfig, seed?: number): void;
  clearRequests(): void;
  close(): Promise<void>;
}

const ALL_ROUTES = [
  workspaceRoutes,
  filesRoutes,
  jobsRoutes,
  runsRoutes,
  pipelinesRoutes,
  secretsRoutes,
  lakeviewRoutes,
  identityRoutes,
  computeMlRoutes,
  warehousesRoutes,
  unityCatalogRoutes,
  grantsRoutes,
  permissionsRoutes,
];

/** Bodies larger than these are refused before they are read (a route may set its own limit). */
const DEFAULT_MAX_BYTES: Record<BodyKind, number> = { json: 16 * 1024 * 1024, form: 64 * 1024, raw: 16 * 1024 * 1024, none: 64 * 1024, stream: 5 * 1024 ** 3 };
const DEFAULT_LOG_LIMIT = 10_000;
/** Bodies above this size are read and parsed at most BIG_BODY_SLOTS at a time, so memory stays bounded. */
const BIG_BODY_BYTES = 1024 * 1024;
const BIG_BODY_SLOTS = 2;

/** A counting semaphore: at most `size` holders; the others wait in arrival order. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

/** The Thrift service, loaded on the first SQL request (the driver's generated code is about 15 MB in memory). */
function lazyWarehouse(backend: WarehouseBackend): (body: Buffer) => Promise<Buffer> {
  let service: Promise<(body: Buffer) => Promise<Buffer>> | undefined;
  return async (body) => (await (service ??= import('./sql/thrift-warehouse.ts').then((m) => m.thriftWarehouse(backend))))(body);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface ParsedBody {
  json: JsonObject;
  logged?: unknown;
  error?: HttpApiError;
}

function parseBody(kind: BodyKind, raw: Buffer, contentType: string | undefined): ParsedBody {
  if (raw.length === 0) return { json: {} };
  const effective = kind === 'json' || (kind === 'none' && contentType?.includes('json')) ? 'json' : kind;
  if (effective === 'raw' || effective === 'none' || effective === 'stream') return { json: {}, logged: describeRawBody(raw) };
  if (effective === 'form') return { json: {}, logged: redactBody(Object.fromEntries(new URLSearchParams(raw.toString('utf8')))) };
  try {
    const parsed = parseJson(raw.toString('utf8'));
    if (!isJsonObject(parsed)) return { json: {}, logged: redactBody(parsed), error: malformedRequest('Invalid JSON given in the body of the request - expected a map') };
    return { json: parsed, logged: redactBody(parsed) };
  } catch {
    return { json: {}, logged: describeRawBody(raw), error: malformedRequest('Invalid JSON given in the body of the request - failed to parse') };
  }
}

function tooLargeError(route: Route, limit: number): HttpApiError {
  return route.tooLarge?.() ?? new HttpApiError(400, 'INVALID_PARAMETER_VALUE', `The request body is larger than the ${Math.floor(limit / (1024 * 1024)) || 1} MB this API accepts.`);
}

const FAULT_CODES: Record<number, string> = { 429: 'REQUEST_LIMIT_EXCEEDED', 502: 'BAD_GATEWAY', 503: 'TEMPORARILY_UNAVAILABLE', 504: 'DEADLINE_EXCEEDED' };

function faultReply(fault: Extract<Fault, { kind: 'status' }>, requestId: string): Reply {
  const code = fault.errorCode ?? FAULT_CODES[fault.status] ?? 'INTERNAL_ERROR';
  const message = fault.message ?? (fault.status === 429 ? 'Too many requests. Please wait a moment and try again.' : 'The service is temporarily unavailable.');
  const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {};
  return { status: fault.status, body: new HttpApiError(fault.status, code, message).body(requestId), headers };
}

function errorReply(error: unknown, requestId: string): Reply {
  const apiError =
    error instanceof HttpApiError ? error : new HttpApiError(500, 'INTERNAL_ERROR', `Internal error in the emulator: ${error instanceof Error ? error.message : String(error)}`);
  return { status: apiError.status, body: apiError.body(requestId), headers: apiError.headers };
}

/**
 * Answers; when the request body was left unread (refused early), the connection is closed after the
 * answer so the client stops sending instead of the server reading what it refused.
 */
function send(req: IncomingMessage, res: ServerResponse, reply: Reply, requestId: string, bodyUnread: boolean): void {
  const status = reply.status ?? 200;
  const headers: Record<string, string> = { 'x-request-id': requestId, ...reply.headers };
  let payload: Buffer | undefined;
  if (reply.raw) payload = reply.raw;
  else if (status !== 204 && reply.body !== undefined) {
    payload = Buffer.from(toJson(reply.body));
    headers['content-type'] ??= 'application/json';
  }
  if (payload && headers['content-length'] === undefined) headers['content-length'] = String(payload.length);
  if (bodyUnread) headers['connection'] = 'close';
  res.writeHead(status, headers);
  if (reply.stream && req.method !== 'HEAD') {
    // A client that goes away stops the read; the file is closed either way.
    reply.stream.on('error', () => res.destroy());
    res.on('close', () => reply.stream?.destroy());
    reply.stream.pipe(res);
  } else {
    reply.stream?.destroy();
    res.end(req.method === 'HEAD' ? undefined : payload);
  }
  if (bodyUnread) lingeringClose(req);
}

/** How long a refused body is drained at most, and how long the client may pause sending it. */
const LINGER_MS = 30_000;
const LINGER_IDLE_MS = 5_000;

/**
 * A lingering close, as a workspace's front end (nginx) makes it after refusing a body it did not read: the
 * answer is sent and the sending side shut, then what the client still sends is read and dropped (never held)
 * until it stops, pauses too long or takes too long. Closing at once would reset the connection under a client
 * still writing, and the reset can discard the answer before the client reads it (EPIPE instead of the error).
 */
function lingeringClose(req: IncomingMessage): void {
  const socket = req.socket;
  // Node closes a `connection: close` socket with destroySoon() once the answer is written: shut sending only.
  socket.destroySoon = () => {
    socket.end();
  };
  const started = Date.now();
  const close = () => socket.destroy();
  req.on('data', () => {
    if (Date.now() - started > LINGER_MS) close();
  });
  req.on('end', close);
  socket.setTimeout(LINGER_IDLE_MS, close);
  req.resume();
}

function declaredLength(req: IncomingMessage): number | undefined {
  const value = req.headers['content-length'];
  return value === undefined ? undefined : Number(value);
}

/** Adds the catalogs and volumes the options ask for, where missing. */
function seedUnityCatalog(state: WorkspaceState, options: FakeWorkspaceOptions, now: number): void {
  const wanted = options.unityCatalog;
  if (!wanted) return;
  const uc = unityCatalogOf(state);
  const owner = state.currentUser.userName;
  const catalog = (name: string) => (uc.catalogs[name.toLowerCase()] ??= { name: name.toLowerCase(), properties: {}, owner, created_at: now, updated_at: now });
  for (const name of wanted.catalogs ?? []) catalog(name);
  for (const full of wanted.volumes ?? []) {
    const [c, s, v] = full.toLowerCase().split('.');
    if (!c || !s || !v) throw new UserError(`unityCatalog.volumes: "${full}" is not <catalog>.<schema>.<volume>`);
    catalog(c);
    uc.schemas[`${c}.${s}`] ??= { name: s, catalog_name: c, properties: {}, owner, schema_id: nextUuid(state), created_at: now, updated_at: now };
    if (uc.volumes[full.toLowerCase()]) continue;
    const id = nextUuid(state);
    uc.volumes[full.toLowerCase()] = {
      name: v,
      catalog_name: c,
      schema_name: s,
      volume_type: 'MANAGED',
      storage_location: `abfss://unity@emulator.dfs.core.windows.net/volumes/${id}`,
      owner,
      volume_id: id,
      created_at: now,
      updated_at: now,
    };
  }
}

/**
 * The socket as a plain stream that starts with `first` (already read to tell TLS from HTTP): TLS then reads it
 * through JavaScript instead of the socket's handle, so those bytes are not lost.
 */
function replayStream(socket: Socket, first: Buffer): Duplex {
  const stream = new Duplex({
    read: () => void socket.resume(),
    write: (chunk: Buffer, _encoding, done) => void socket.write(chunk, done),
    final: (done) => void socket.end(done),
    destroy: (error, done) => {
      socket.destroy(error ?? undefined);
      done(error);
    },
  });
  stream.push(first);
  socket.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('close', () => stream.destroy());
  socket.on('error', (error) => stream.destroy(error));
  return stream;
}

export async function startFakeWorkspace(options: FakeWorkspaceOptions = {}): Promise<FakeWorkspace> {
  const clock: Clock = options.clock === 'virtual' ? new VirtualClock() : options.clock === 'real' || options.clock === undefined ? realClock : options.clock;
  if (options.dir !== undefined && options.state !== undefined) throw new UserError('Start the fake workspace with either a state or a directory, not both.');
  const store: WorkspaceStore =
    options.dir !== undefined
      ? await openStateDir(options.dir, { command: options.lockCommand ?? 'dbx-ts emulator', bigIds: options.bigIds ?? false, now: clock.now() })
      : memoryStore(options.state ?? createWorkspaceState({ bigIds: options.bigIds ?? false, now: clock.now() }));
  const state = store.state;
  seedUnityCatalog(state, options, clock.now());
  if (expireRuns(state, clock.now()) > 0) await store.commit();
  const scenario = new Scenario(options.scenario);
  const executor = typeof options.runs === 'object' ? options.runs : undefined;
  if (executor && clock !== realClock) throw new UserError('A workspace that executes runs keeps real time: start it without a virtual clock.');
  const live = executor ? new LiveRuns({ state, executor, commit: () => store.commit(), readContent: (ref) => store.blobs.get(ref) }) : undefined;
  live?.recover();
  const pipelineUpdates =
    executor?.updatePipeline !== undefined
      ? new LivePipelineUpdates({
          state,
          run: (update) => executor.updatePipeline!(update),
          commit: () => store.commit(),
          readContent: (ref) => store.blobs.get(ref),
          now: () => clock.now(),
        })
      : undefined;
  pipelineUpdates?.recover();
  const sqlWarehouse = options.warehouseBackend ? lazyWarehouse(options.warehouseBackend) : undefined;
  const tokens = options.tokens ?? [{ token: `dapi${randomBytes(16).toString('hex')}`, kind: 'pat' as const }];
  const auth = new AuthRegistry(tokens, options.oauthClients ?? [], state.currentUser.userName, clock);
  const faults = new FaultInjector(options.faults, options.seed ?? 1);
  const router = new Router();
  for (const routes of ALL_ROUTES) router.add(routes);
  const log = new RequestLog(options.requestLogLimit ?? DEFAULT_LOG_LIMIT);
  const bigBodies = new Slots(BIG_BODY_SLOTS);
  let sequence = 0;
  let baseUrl = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', baseUrl);
    const requestId = `emu-${(++sequence).toString().padStart(6, '0')}`;
    const matched = router.match(method, url.pathname);
    const authorization = redactAuthorization(req.headers.authorization);
    const record: RequestRecord = {
      method,
      path: url.pathname,
      query: queryRecord(url.searchParams),
      headers: {
        ...(authorization !== undefined ? { authorization } : {}),
        ...(req.headers['content-type'] !== undefined ? { 'content-type': req.headers['content-type'] } : {}),
      },
    };
    log.push(record);
    if (clock instanceof VirtualClock) clock.tick();
    if (options.latencyMs) await sleep(options.latencyMs);

    let bodyRead = false;
    const hasBody = (declaredLength(req) ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const answer = (reply: Reply) => {
      record.status = reply.status ?? 200;
      send(req, res, reply, requestId, hasBody && !bodyRead);
    };
    const fault = faults.pick(method, url.pathname);
    if (fault) record.fault = faultName(fault);
    if (fault?.kind === 'reset') {
      record.status = 'reset';
      req.socket.resetAndDestroy();
      return;
    }
    if (fault?.kind === 'status') return answer(faultReply(fault, requestId));
    let reply: Reply;
    let releaseSlot: (() => void) | undefined;
    try {
      if (!matched) throw new HttpApiError(404, 'ENDPOINT_NOT_FOUND', `No API found for '${method} ${url.pathname}'`);
      const { route } = matched;
      // Who is asking, and whether the body could be acceptable, are settled before reading a byte of it.
      const principal = route.public ? undefined : auth.authenticate(req.headers.authorization);
      const limit = route.maxBytes ?? DEFAULT_MAX_BYTES[route.body];
      if ((declaredLength(req) ?? 0) > limit) throw tooLargeError(route, limit);
      let raw: Buffer = Buffer.alloc(0);
      let body: ParsedBody;
      let streamed: HandlerContext['streamed'];
      if (route.streamedMember) {
        // Decoded into the blob store as it arrives: memory stays a few chunks whatever the size.
        const { name, maxBytes } = route.streamedMember;
        let read: StreamedBody;
        try {
          read = await readStreamedBody(req, store.blobs, { name, limit, maxBytes, keepText: options.logBodies ?? false });
        } catch (error) {
          if (error instanceof BodyTooLargeError) throw tooLargeError(route, limit);
          throw error;
        }
        bodyRead = true;
        streamed = read.streamed;
        const whole = read.text !== undefined ? { ...read.fields, [name]: read.text } : read.fields;
        body = { json: read.fields, logged: redactBody(whole) };
        if (options.logBodies) record.body = body.logged;
        if (options.strictRequests) checkRequestValue(route, { [name]: '', ...whole });
      } else {
        const big = route.body !== 'stream' && ((declaredLength(req) ?? 0) > BIG_BODY_BYTES || req.headers['transfer-encoding'] !== undefined);
        if (big) releaseSlot = await bigBodies.take();
        if (route.body !== 'stream') {
          try {
            raw = await readLimited(req, limit);
          } catch (error) {
            if (error instanceof BodyTooLargeError) throw tooLargeError(route, limit);
            throw error;
          }
          bodyRead = true;
        }
        body = parseBody(route.body, raw, req.headers['content-type']);
        if (options.logBodies && body.logged !== undefined) record.body = body.logged;
        if (body.error) throw body.error;
        if (options.strictRequests) checkRequestBody(route, raw);
      }
      // A JSON body's bytes are not needed once parsed; letting them go keeps a large import's footprint down.
      if (route.body === 'json') raw = Buffer.alloc(0);
      const ctx: HandlerContext = {
        state,
        blobs: store.blobs,
        clock,
        scenario,
        warehouses: options.warehouses ?? DEFAULT_WAREHOUSES,
        catalogsOnDemand: options.catalogsOnDemand ?? false,
        runs: executor ? 'execute' : 'simulate',
        ...(live ? { live } : {}),
        ...(pipelineUpdates ? { pipelineUpdates } : {}),
        ...(sqlWarehouse ? { sqlWarehouse } : {}),
        auth,
        baseUrl,
        principal,
        method,
        path: url.pathname,
        params: matched.params,
        query: url.searchParams,
        body: body.json,
        ...(streamed ? { streamed } : {}),
        raw,
        stream: req,
        limit,
        headers: req.headers,
        now: clock.now(),
      };
      reply = await matched.route.handle(ctx);
      if (route.body === 'stream') bodyRead = req.readableEnded;
      // The change is on disk before the client is told it happened.
      if (MUTATING.has(method)) await store.commit();
    } catch (error) {
      if (matched?.route.body === 'stream' || matched?.route.streamedMember) bodyRead = req.readableEnded;
      reply = errorReply(error, requestId);
    } finally {
      releaseSlot?.();
    }
    if (fault?.kind === 'lost-response') {
      // The request took effect; the client just never hears about it.
      const status = lostStatus(fault.then);
      if (status !== undefined) {
        record.status = status;
        send(req, res, faultReply({ kind: 'status', status }, requestId), requestId, false);
      } else {
        record.status = 'reset';
        req.socket.resetAndDestroy();
      }
      return;
    }
    answer(reply);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(req, res, errorReply(error, 'emu-unhandled'), 'emu-unhandled', true);
    });
  });
  // Idle keep-alive connections stay open about a minute, as behind Databricks' load balancers; Node's 5 s
  // default races clients that reuse a connection just as the server drops it (a POST then fails with EPIPE).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // With TLS: one port, both protocols; a TLS connection starts with a handshake record (0x16).
  const tlsServer = options.tls ? createTlsServer({ ...options.tls, minVersion: 'TLSv1.2' }, (req, res) => server.emit('request', req, res)) : undefined;
  const sockets = new Set<Socket>();
  const front = tlsServer
    ? createNetServer((socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        socket.once('data', (first: Buffer) => {
          socket.pause();
          if (first[0] === 0x16) {
            tlsServer.emit('connection', replayStream(socket, first));
          } else {
            // The HTTP parser reads the socket's handle directly from here on; the bytes already read go in first.
            server.emit('connection', socket);
            socket.emit('data', first);
          }
          socket.resume();
        });
      })
    : server;
  try {
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await store.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UserError(`Port ${options.port} on 127.0.0.1 is already in use.`, 'Choose another --port, or 0 for a free one.');
    }
    throw error;
  }
  const { port } = front.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    token: tokens[0]?.token ?? '',
    state,
    store,
    requests: log.entries,
    scenario,
    clock,
    readContent: (ref) => store.blobs.get(ref),
    advanceClock: (ms) => {
      if (!(clock instanceof VirtualClock)) {
        throw new UserError('advanceClock needs a virtual clock', "Start the fake workspace with clock: 'virtual'.");
      }
      clock.advance(ms);
    },
    setFaults: (config, seed) => faults.set(config, seed),
    clearRequests: () => log.clear(),
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        tlsServer?.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        if (front !== server) server.close();
        front.close((error) => (error ? reject(error) : resolve()));
      })
        .finally(() => pipelineUpdates?.close())
        .finally(() => live?.close())
        .finally(() => store.close())),
  };
}

// The in-process fake Databricks workspace: a real HTTP server on 127.0.0.1 with Databricks'
// semantics for the APIs dbx-ts uses, bearer-token auth, per-request latency, fault injection and a
// redacted request log. Used by end-to-end tests of the CLI and by `dbx-ts local serve`.
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, VirtualClock, realClock } from './clock.ts';
import { computeMlRoutes } from './handlers/compute-ml.ts';
import type { HandlerContext, Reply } from './handlers/context.ts';
import { filesRoutes } from './handlers/files.ts';
import { identityRoutes } from './handlers/identity.ts';
import { jobsRoutes } from './handlers/jobs.ts';
import { lakeviewRoutes } from './handlers/lakeview.ts';
import { pipelinesRoutes } from './handlers/pipelines.ts';
import { runsRoutes } from './handlers/runs.ts';
import { secretsRoutes } from './handlers/secrets.ts';
import { workspaceRoutes } from './handlers/workspace.ts';
import { HttpApiError, malformedRequest } from './http/api-error.ts';
import { AuthRegistry, type OAuthClient, type TokenSpec } from './http/auth.ts';
import { type Fault, type FaultConfig, FaultInjector, faultName, lostStatus } from './http/faults.ts';
import { type JsonObject, isJsonObject, parseJson, toJson } from './http/json.ts';
import { type RequestRecord, describeRawBody, queryRecord, redactAuthorization, redactBody } from './http/request-log.ts';
import { type BodyKind, Router } from './http/router.ts';
import { checkRequestBody } from './http/strict-requests.ts';
import { UserError } from '../errors/index.ts';
import { Scenario, type ScenarioInput } from './scenario.ts';
import { type WorkspaceState, createWorkspaceState } from './state.ts';

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
  /** Start from this state (e.g. loaded with loadStateFromDir) instead of an empty workspace. */
  state?: WorkspaceState;
  /** Initial script for simulated runs (also reachable later as `scenario`). */
  scenario?: ScenarioInput;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /**
   * Check JSON request bodies against the generated API schema and answer 400 on unknown fields,
   * missing required fields or bad enum values (end-to-end tests turn this on to catch client typos).
   */
  strictRequests?: boolean;
  /** Keep only the newest N request-log entries (a long-running `local serve` should set this). */
  requestLogLimit?: number;
}

export interface FakeWorkspace {
  /** Base URL, e.g. http://127.0.0.1:53123 (loopback, so plain http is allowed). */
  url: string;
  /** The first configured token. */
  token: string;
  state: WorkspaceState;
  /** Every request received, in order, with credentials and secret values redacted. */
  requests: RequestRecord[];
  scenario: Scenario;
  clock: Clock;
  /** Moves a virtual clock forward (runs and pipeline updates progress); refused on the real clock. */
  advanceClock(ms: number): void;
  setFaults(config: FaultConfig, seed?: number): void;
  clearRequests(): void;
  close(): Promise<void>;
}

const ALL_ROUTES = [workspaceRoutes, filesRoutes, jobsRoutes, runsRoutes, pipelinesRoutes, secretsRoutes, lakeviewRoutes, identityRoutes, computeMlRoutes];

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ParsedBody {
  json: JsonObject;
  logged?: unknown;
  error?: HttpApiError;
}

function parseBody(kind: BodyKind | undefined, raw: Buffer, contentType: string | undefined): ParsedBody {
  if (raw.length === 0) return { json: {} };
  const effective = kind ?? (contentType?.includes('json') ? 'json' : 'raw');
  if (effective === 'raw') return { json: {}, logged: describeRawBody(raw) };
  if (effective === 'form') return { json: {}, logged: redactBody(Object.fromEntries(new URLSearchParams(raw.toString('utf8')))) };
  if (effective === 'none') return { json: {} };
  try {
    const parsed = parseJson(raw.toString('utf8'));
    if (!isJsonObject(parsed)) return { json: {}, logged: redactBody(parsed), error: malformedRequest('Invalid JSON given in the body of the request - expected a map') };
    return { json: parsed, logged: redactBody(parsed) };
  } catch {
    return { json: {}, logged: describeRawBody(raw), error: malformedRequest('Invalid JSON given in the body of the request - failed to parse') };
  }
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

function send(res: ServerResponse, method: string, reply: Reply, requestId: string): void {
  const status = reply.status ?? 200;
  const headers: Record<string, string> = { 'x-request-id': requestId, ...reply.headers };
  let payload: Buffer | undefined;
  if (reply.raw) payload = reply.raw;
  else if (status !== 204 && reply.body !== undefined) {
    payload = Buffer.from(toJson(reply.body));
    headers['content-type'] ??= 'application/json';
  }
  if (payload && headers['content-length'] === undefined) headers['content-length'] = String(payload.length);
  res.writeHead(status, headers);
  res.end(method === 'HEAD' ? undefined : payload);
}

export async function startFakeWorkspace(options: FakeWorkspaceOptions = {}): Promise<FakeWorkspace> {
  const clock: Clock = options.clock === 'virtual' ? new VirtualClock() : options.clock === 'real' || options.clock === undefined ? realClock : options.clock;
  const state = options.state ?? createWorkspaceState({ bigIds: options.bigIds ?? false, now: clock.now() });
  const scenario = new Scenario(options.scenario);
  const tokens = options.tokens ?? [{ token: `dapi${randomBytes(16).toString('hex')}`, kind: 'pat' as const }];
  const auth = new AuthRegistry(tokens, options.oauthClients ?? [], state.currentUser.userName, clock);
  const faults = new FaultInjector(options.faults, options.seed ?? 1);
  const router = new Router();
  for (const routes of ALL_ROUTES) router.add(routes);
  const requests: RequestRecord[] = [];
  let sequence = 0;
  let baseUrl = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', baseUrl);
    const requestId = `emu-${(++sequence).toString().padStart(6, '0')}`;
    const raw = await readBody(req);
    const matched = router.match(method, url.pathname);
    const body = parseBody(matched?.route.body, raw, req.headers['content-type']);
    const authorization = redactAuthorization(req.headers.authorization);
    const record: RequestRecord = {
      method,
      path: url.pathname,
      query: queryRecord(url.searchParams),
      ...(body.logged !== undefined ? { body: body.logged } : {}),
      headers: {
        ...(authorization !== undefined ? { authorization } : {}),
        ...(req.headers['content-type'] !== undefined ? { 'content-type': req.headers['content-type'] } : {}),
      },
    };
    requests.push(record);
    if (options.requestLogLimit !== undefined && requests.length > options.requestLogLimit) {
      requests.splice(0, requests.length - options.requestLogLimit);
    }
    if (clock instanceof VirtualClock) clock.tick();
    if (options.latencyMs) await sleep(options.latencyMs);

    const fault = faults.pick(method, url.pathname);
    if (fault) record.fault = faultName(fault);
    if (fault?.kind === 'reset') {
      record.status = 'reset';
      req.socket.resetAndDestroy();
      return;
    }
    let reply: Reply;
    if (fault?.kind === 'status') {
      reply = faultReply(fault, requestId);
    } else {
      try {
        if (!matched) throw new HttpApiError(404, 'ENDPOINT_NOT_FOUND', `No API found for '${method} ${url.pathname}'`);
        const principal = matched.route.public ? undefined : auth.authenticate(req.headers.authorization);
        if (body.error) throw body.error;
        if (options.strictRequests) checkRequestBody(matched.route, raw);
        const ctx: HandlerContext = {
          state,
          clock,
          scenario,
          auth,
          baseUrl,
          principal,
          method,
          path: url.pathname,
          params: matched.params,
          query: url.searchParams,
          body: body.json,
          raw,
          headers: req.headers,
          now: clock.now(),
        };
        reply = await matched.route.handle(ctx);
      } catch (error) {
        reply = errorReply(error, requestId);
      }
    }
    if (fault?.kind === 'lost-response') {
      // The request took effect; the client just never hears about it.
      const status = lostStatus(fault.then);
      if (status !== undefined) {
        record.status = status;
        send(res, method, faultReply({ kind: 'status', status }, requestId), requestId);
      } else {
        record.status = 'reset';
        req.socket.resetAndDestroy();
      }
      return;
    }
    record.status = reply.status ?? 200;
    send(res, method, reply, requestId);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, req.method ?? 'GET', errorReply(error, 'emu-unhandled'), 'emu-unhandled');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    token: tokens[0]?.token ?? '',
    state,
    requests,
    scenario,
    clock,
    advanceClock: (ms) => {
      if (!(clock instanceof VirtualClock)) {
        throw new UserError('advanceClock needs a virtual clock', "Start the fake workspace with clock: 'virtual'.");
      }
      clock.advance(ms);
    },
    setFaults: (config, seed) => faults.set(config, seed),
    clearRequests: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

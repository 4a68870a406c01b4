// What every API handler receives, and helpers to read and check request fields the way Databricks
// does (400 INVALID_PARAMETER_VALUE naming the field).
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Clock } from '../clock.ts';
import type { Scenario } from '../scenario.ts';
import type { LivePipelineUpdates } from '../sim/live-pipeline-updates.ts';
import type { LiveRuns } from '../sim/live-runs.ts';
import type { WorkspaceState } from '../state.ts';
import type { BlobRef, BlobStore } from '../store/blobs.ts';
import type { WarehouseSpec } from './warehouses.ts';
import { invalidParameter } from '../http/api-error.ts';
import type { AuthRegistry, Principal } from '../http/auth.ts';
import { isJsonObject, type JsonObject } from '../http/json.ts';

export interface HandlerContext {
  state: WorkspaceState;
  /** Contents of notebooks and files (state records hold references). */
  blobs: BlobStore;
  clock: Clock;
  scenario: Scenario;
  /** `simulate`: runs follow the scenario; `execute`: runs execute their tasks (`live`). */
  runs: 'simulate' | 'execute';
  live?: LiveRuns;
  /** Pipelines-API updates that execute (a workspace whose executor runs them); absent: they follow the scenario. */
  pipelineUpdates?: LivePipelineUpdates;
  /** Answers a Thrift request of @databricks/sql to a warehouse (see sql/thrift-warehouse.ts). */
  sqlWarehouse?: (body: Buffer) => Promise<Buffer>;
  /** The SQL warehouses this workspace has. */
  warehouses: WarehouseSpec[];
  /** Every catalog exists (the local workspace); otherwise only those created or given. */
  catalogsOnDemand: boolean;
  auth: AuthRegistry;
  /** e.g. http://127.0.0.1:53123 */
  baseUrl: string;
  /** The caller; public routes (OAuth) have none. */
  principal: Principal | undefined;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body (an empty object when there is none). */
  body: JsonObject;
  /** A route's streamed member (see Route.streamedMember), stored; absent when the body did not have it as a string. */
  streamed?: { ref: BlobRef; head: Buffer };
  /** The body's bytes (empty for routes that stream). */
  raw: Buffer;
  /** The request itself, for routes whose body is a stream (read it at most `limit` bytes). */
  stream: Readable;
  limit: number;
  headers: IncomingHttpHeaders;
  /** The clock read once for this request, so one response is consistent. */
  now: number;
}

export interface Reply {
  status?: number;
  body?: unknown;
  /** Raw bytes instead of JSON (file downloads). */
  raw?: Buffer;
  /** Bytes streamed to the client instead (large file downloads); the handler sets content-length. */
  stream?: Readable;
  headers?: Record<string, string>;
}

export const ok = (body: unknown = {}): Reply => ({ body });

export function callerOf(ctx: HandlerContext): Principal {
  if (!ctx.principal) throw new Error(`route ${ctx.method} ${ctx.path} needs authentication`);
  return ctx.principal;
}

export function requireField(obj: JsonObject, name: string): unknown {
  const value = obj[name];
  if (value === undefined || value === null || value === '') throw invalidParameter(`Missing required field: ${name}`);
  return value;
}

export function requireString(obj: JsonObject, name: string): string {
  const value = requireField(obj, name);
  if (typeof value !== 'string') throw invalidParameter(`Invalid value for ${name}: expected a string`);
  return value;
}

export function optString(obj: JsonObject, name: string): string | undefined {
  const value = obj[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`Invalid value for ${name}: expected a string`);
  return value;
}

export function optBool(obj: JsonObject, name: string): boolean | undefined {
  const value = obj[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParameter(`Invalid value for ${name}: expected a boolean`);
  return value;
}

export function optObject(obj: JsonObject, name: string): JsonObject | undefined {
  const value = obj[name];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalidParameter(`Invalid value for ${name}: expected an object`);
  return value;
}

export function optArray(obj: JsonObject, name: string): unknown[] {
  const value = obj[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter(`Invalid value for ${name}: expected an array`);
  return value;
}

/** int64 ids arrive as numbers, bigints (beyond 2^53) or digit strings. */
export function toId(value: unknown, name: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  throw invalidParameter(`Invalid value for ${name}: ${String(value)}`);
}

export function requireId(obj: JsonObject, name: string): bigint {
  return toId(requireField(obj, name), name);
}

export function requireQuery(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') throw invalidParameter(`Missing required field: ${name}`);
  return value;
}

export function queryBool(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null) return false;
  if (value !== 'true' && value !== 'false') throw invalidParameter(`Invalid value for ${name}: ${value}`);
  return value === 'true';
}

export function queryInt(query: URLSearchParams, name: string, fallback: number): number {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw invalidParameter(`Invalid value for ${name}: ${value}`);
  return Number(value);
}

// A fake workspace wired for deploy tests: an Entra ID-type token (Key Vault scopes work), a retrying client
// and a no-retry client for creates, both with short pauses, and counters over the workspace's state.
import { mkdtemp } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeployOptions } from '../../src/deploy/deploy.ts';
import { startFakeWorkspace, type FakeWorkspace, type FakeWorkspaceOptions } from '../../src/emulator/index.ts';
import type { RequestRecord } from '../../src/emulator/index.ts';
import { createWorkspaceClient, type WorkspaceClient } from '../../src/workspace/index.ts';

/** An Entra ID token as DATABRICKS_TOKEN carries it (an unsigned stand-in: the fake workspace knows it by value). */
export const AAD_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC8wMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAvIiwiYXVkIjoiMmZmODE0YTYtMzMwNC00YWI4LTg1Y2ItY2QwZTZmODc5YzFkIn0.test-signature';
/** A personal access token: Databricks-issued, so it cannot create an Azure Key Vault-backed scope. */
// Built, not written out: the same `dapi` + 32 hex digits a PAT has, with no chance of being a real one.
export const PAT_TOKEN = `dapi${'0123456789abcdef'.repeat(2)}`;

export interface FakeSetup {
  ws: FakeWorkspace;
  env: Record<string, string>;
  client: WorkspaceClient;
  creator: WorkspaceClient;
  cacheDir: string;
  /** Options for deployBundle that connect to this workspace. */
  connection: Pick<DeployOptions, 'client' | 'creator' | 'cacheDir' | 'createOptions'>;
}

/** The SQL warehouses the deploy tests' bundles name (publishing a dashboard checks its warehouse exists). */
export const TEST_WAREHOUSES = ['wh-1234', 'wh-target', 'wh'].map((id) => ({ id, name: `Warehouse ${id}` }));

/** What a workspace has before the first deploy: the catalogs the bundles use, and their SQL warehouses. */
export const PREREQUISITES = { unityCatalog: { catalogs: ['sales_lakehouse', 'shop_cat'] }, warehouses: TEST_WAREHOUSES };

export async function fakeWorkspace(options: FakeWorkspaceOptions = {}, via?: (url: string) => string): Promise<FakeSetup> {
  const ws = await startFakeWorkspace({ tokens: [{ token: AAD_TOKEN, kind: 'aad' }, { token: PAT_TOKEN, kind: 'pat' }], strictRequests: true, logBodies: true, ...PREREQUISITES, ...options });
  const env = { DATABRICKS_HOST: via ? via(ws.url) : ws.url, DATABRICKS_TOKEN: AAD_TOKEN };
  const quick = { env, configFile: null, retry: { timeoutMs: 5_000, baseDelayMs: 2, maxDelayMs: 20 }, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20))) };
  const client = createWorkspaceClient(quick);
  const creator = createWorkspaceClient({ ...quick, retry: { timeoutMs: 0 } });
  const cacheDir = await mkdtemp(join(tmpdir(), 'dbx-ts-deploy-'));
  return { ws, env, client, creator, cacheDir, connection: { client, creator, cacheDir, createOptions: { delayMs: () => 2 } } };
}

/** How many live objects of each kind the workspace holds (trashed dashboards do not count). */
export function census(ws: FakeWorkspace, filesUnder: string) {
  const prefix = filesUnder.replace(/^\/Workspace/, '');
  return {
    jobs: Object.values(ws.state.jobs).map((j) => String(j.settings['name'])).sort(),
    pipelines: Object.values(ws.state.pipelines).map((p) => String(p.spec['name'])).sort(),
    scopes: Object.keys(ws.state.secretScopes).sort(),
    schemas: Object.keys(ws.state.unityCatalog?.schemas ?? {}).sort(),
    volumes: Object.keys(ws.state.unityCatalog?.volumes ?? {}).sort(),
    dashboards: Object.values(ws.state.dashboards)
      .filter((d) => d.lifecycle_state === 'ACTIVE')
      .map((d) => d.display_name)
      .sort(),
    files: Object.entries(ws.state.objects)
      .filter(([path, o]) => path.startsWith(`${prefix}/`) && o.object_type !== 'DIRECTORY')
      .map(([path]) => path.slice(prefix.length + 1))
      .sort(),
  };
}

/** Requests that change something. */
export function writes(requests: RequestRecord[]): RequestRecord[] {
  return requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
}

export function describeRequest(r: RequestRecord): string {
  const path = typeof (r.body as { path?: unknown } | undefined)?.path === 'string' ? ` ${(r.body as { path: string }).path}` : '';
  return `${r.method} ${r.path}${path}`;
}

/** How many requests of each class were in flight at once, at most, as seen between the client and the workspace. */
export interface InFlightMeter {
  url: string;
  max: Record<string, number>;
  close(): Promise<void>;
}

/**
 * A loopback proxy in front of the fake workspace that counts requests in flight per class (`classify` sees the
 * method, the path and the JSON body). Pass `(url) => meter.url` as fakeWorkspace's `via`.
 */
export async function inFlightMeter(target: () => string, classify: (method: string, path: string, body: unknown) => string): Promise<InFlightMeter> {
  const now: Record<string, number> = {};
  const max: Record<string, number> = {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: unknown;
      try {
        body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        body = undefined;
      }
      const kind = classify(req.method ?? 'GET', new URL(req.url ?? '/', 'http://x').pathname, body);
      now[kind] = (now[kind] ?? 0) + 1;
      max[kind] = Math.max(max[kind] ?? 0, now[kind]);
      const upstream = new URL(req.url ?? '/', target());
      const forward = httpRequest(upstream, { method: req.method, headers: { ...req.headers, host: upstream.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => (now[kind] = now[kind]! - 1));
      });
      forward.on('error', () => {
        now[kind] = now[kind]! - 1;
        res.destroy();
      });
      forward.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    max,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

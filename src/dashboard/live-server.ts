// A dashboard served on 127.0.0.1 that updates itself: GET / is the same page as the offline HTML file (one
// renderer, one chart definition), and GET /events is a server-sent event stream that carries each new grid
// (cards and compiled charts) to every open page, which swaps it in without a reload.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import { silentSink } from '../events/types.ts';
import type { DashboardModel } from '../model/types.ts';
import { renderDashboardGrid, renderDashboardHtml } from './html.ts';
import type { PlainRow } from './plain-values.ts';

export const EVENTS_PATH = '/events';
const HOST = '127.0.0.1';
/** A comment line now and then keeps idle connections open through proxies and shows a dead client. */
const KEEPALIVE_MS = 15_000;

export interface DashboardData {
  version: string;
  data: Record<string, readonly PlainRow[]>;
}

export interface LiveDashboardServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** Shows this data from now on and sends it to every open page; the same version again is a no-op. */
  show(data: DashboardData): void;
  /** Pages connected to the event stream. */
  clients(): number;
  close(): Promise<void>;
}

export interface LiveServerOptions {
  model: DashboardModel;
  /** 0 picks a free port. */
  port: number;
  initial: DashboardData;
  events?: EventSink;
}

/** The Host header a page of ours sends; anything else (e.g. a rebound DNS name) is refused. */
function allowedHost(host: string | undefined, port: number): boolean {
  return host === `${HOST}:${port}` || host === `localhost:${port}`;
}

export async function startDashboardServer(options: LiveServerOptions): Promise<LiveDashboardServer> {
  const events = options.events ?? silentSink;
  const warn = (message: string) => events({ code: 'log', level: 'warn', message, data: {} });
  let current = options.initial;
  const streams = new Set<ServerResponse>();
  const gridEvent = async () => {
    const shown = current;
    const rendered = await renderDashboardGrid(options.model, shown.data, undefined, { events });
    return `event: grid\ndata: ${JSON.stringify({ version: shown.version, ...rendered })}\n\n`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const port = (server.address() as AddressInfo).port;
    if (!allowedHost(req.headers.host, port)) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden host\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method not allowed\n');
    const path = new URL(req.url ?? '/', `http://${HOST}`).pathname;
    if (path === '/') {
      const page = await renderDashboardHtml(options.model, current.data, undefined, { events, live: { eventsPath: EVENTS_PATH, version: current.version } });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(req.method === 'HEAD' ? undefined : page);
    }
    if (path === EVENTS_PATH) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`retry: 1000\n\n${await gridEvent()}`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      warn(`Dashboard server: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end();
    });
  });
  // Grids go out in the order the versions came, each once it is rendered.
  let sending = Promise.resolve();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new UserError(`Port ${options.port} on ${HOST} is in use.`, 'Pass another --port, or --port 0 for a free one.') : error),
    );
    server.listen(options.port, HOST, () => resolve());
  });
  const keepalive = setInterval(() => {
    for (const res of streams) res.write(': keepalive\n\n');
  }, KEEPALIVE_MS).unref();
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}/`,
    show(data) {
      if (data.version === current.version) return;
      current = data;
      if (streams.size === 0) return;
      sending = sending
        .then(async () => {
          const message = await gridEvent();
          for (const res of streams) res.write(message);
        })
        .catch((error: unknown) => warn(`Dashboard server: ${(error as Error).message}`));
    },
    clients: () => streams.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(keepalive);
        for (const res of streams) res.end();
        streams.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

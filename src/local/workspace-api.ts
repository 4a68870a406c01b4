// The Jobs API calls `run -t local` makes to the local workspace it started in this process: run-now, runs/get and
// runs/cancel, as REST requests over loopback HTTP, the same endpoints and bodies a workspace target's client sends.
// Plain node:http (already loaded by the server) rather than the workspace client: that client brings its whole
// authentication stack (Azure identity, OAuth, axios), about 0.7 s of CPU to load, for three calls to a server on
// 127.0.0.1 whose token this process made.
import { request } from 'node:http';
import { RemoteApiError } from '../errors/index.ts';
import { parseJson, toJson } from '../emulator/index.ts';
import { normalState, type NormalState } from '../run/states.ts';

export interface RunNowBody {
  job_id: string;
  job_parameters?: Record<string, string>;
  only?: string[];
  pipeline_params?: { full_refresh?: boolean };
}

export interface LocalJobsApi {
  /** jobs/run-now; the new run's id. */
  runNow(body: RunNowBody): Promise<string>;
  /** runs/get: the run's state. */
  runState(runId: string): Promise<NormalState>;
  /** runs/cancel (asynchronous: the run ends CANCELED later). */
  cancelRun(runId: string): Promise<void>;
}

/** Ids are JSON numbers that may pass 2^53 (bigint once parsed): exact decimal text here. */
function idText(value: unknown): string {
  return typeof value === 'bigint' ? value.toString() : String(value);
}

export function localJobsApi(url: string, token: string): LocalJobsApi {
  const call = (method: 'GET' | 'POST', path: string, body?: string) =>
    new Promise<unknown>((resolve, reject) => {
      const req = request(
        new URL(path, url),
        { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text === '' ? {} : parseJson(text);
            } catch {
              parsed = {};
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(parsed);
            const error = parsed as { error_code?: string; message?: string };
            reject(new RemoteApiError(`${method} ${path}: ${error.message ?? `HTTP ${status}`}`, { status, method, path, ...(error.error_code ? { error_code: error.error_code } : {}) }));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    async runNow({ job_id, ...rest }) {
      const response = (await call('POST', '/api/2.2/jobs/run-now', toJson({ job_id: BigInt(job_id), ...rest }))) as { run_id?: unknown };
      if (response.run_id === undefined) throw new RemoteApiError('jobs/run-now returned no run_id', { path: '/api/2.2/jobs/run-now' });
      return idText(response.run_id);
    },
    async runState(runId) {
      return normalState((await call('GET', `/api/2.2/jobs/runs/get?run_id=${encodeURIComponent(runId)}`)) as Parameters<typeof normalState>[0]);
    },
    async cancelRun(runId) {
      await call('POST', '/api/2.2/jobs/runs/cancel', toJson({ run_id: BigInt(runId) }));
    },
  };
}

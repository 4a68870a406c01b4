// Fault injection: per-route rules (the first N matching requests fail) or random faults from a seed.
// The server applies the fault: an error status, a dropped connection, or a "lost response" (the
// request takes effect but the client never sees the answer).
import { seededRandom } from '../../seeded-random.ts';

export { seededRandom };

export type Fault =
  /** Answer with an error status; 429 and 503 carry Retry-After. */
  | { kind: 'status'; status: number; retryAfterSeconds?: number; errorCode?: string; message?: string }
  /** Drop the connection before handling (TCP reset). */
  | { kind: 'reset' }
  /** Handle the request, then drop the connection or answer an error status instead of the real response. */
  | { kind: 'lost-response'; then?: 'reset' | LostStatus };

/** The error status a lost response is answered with (a proxy or gateway failing after the server applied it). */
export type LostStatus = 'status500' | 'status502' | 'status503' | 'status504';

/** The status of a lost response's error answer, or undefined when the connection is dropped. */
export function lostStatus(then: 'reset' | LostStatus | undefined): number | undefined {
  return then === undefined || then === 'reset' ? undefined : Number(then.slice('status'.length));
}

export interface FaultRule {
  /** `"POST /api/2.2/jobs/create"`, a bare path, or either with a trailing `*`; method `*` matches any. */
  match: string;
  fault: Fault;
  /** How many matching requests fail (default 1; `Infinity` for all). */
  times?: number;
  /** How many matching requests pass before failures start. */
  skip?: number;
}

export interface RandomFaults {
  /** Probability (0..1) that a matching request gets a fault. */
  rate: number;
  faults: Fault[];
  match?: string;
}

export interface FaultConfig {
  rules?: FaultRule[];
  random?: RandomFaults;
}

export const faults = {
  tooManyRequests: (retryAfterSeconds = 1): Fault => ({ kind: 'status', status: 429, retryAfterSeconds }),
  unavailable: (retryAfterSeconds?: number): Fault =>
    retryAfterSeconds === undefined ? { kind: 'status', status: 503 } : { kind: 'status', status: 503, retryAfterSeconds },
  reset: (): Fault => ({ kind: 'reset' }),
  lostResponse: (then: 'reset' | LostStatus = 'reset'): Fault => ({ kind: 'lost-response', then }),
  /** Every kind of fault, for random fault runs: refusals, 5xx, resets and lost responses. */
  everyKind: (): Fault[] => [
    { kind: 'status', status: 429, retryAfterSeconds: 1 },
    { kind: 'status', status: 500 },
    { kind: 'status', status: 502 },
    { kind: 'status', status: 503 },
    { kind: 'status', status: 504 },
    { kind: 'reset' },
    { kind: 'lost-response', then: 'reset' },
    { kind: 'lost-response', then: 'status500' },
    { kind: 'lost-response', then: 'status502' },
    { kind: 'lost-response', then: 'status503' },
    { kind: 'lost-response', then: 'status504' },
  ],
};

export function faultName(fault: Fault): string {
  return fault.kind === 'status' ? `status-${fault.status}` : fault.kind;
}


export function matchesPattern(pattern: string, method: string, path: string): boolean {
  const space = pattern.indexOf(' ');
  const wantMethod = space >= 0 ? pattern.slice(0, space) : '*';
  const wantPath = space >= 0 ? pattern.slice(space + 1) : pattern;
  if (wantMethod !== '*' && wantMethod.toUpperCase() !== method) return false;
  return wantPath.endsWith('*') ? path.startsWith(wantPath.slice(0, -1)) : path === wantPath;
}

interface LiveRule {
  rule: FaultRule;
  skipLeft: number;
  timesLeft: number;
}

export class FaultInjector {
  private rules: LiveRule[] = [];
  private random: RandomFaults | undefined;
  private rng: () => number;

  constructor(config: FaultConfig = {}, seed = 1) {
    this.rng = seededRandom(seed);
    this.set(config);
  }

  /** Replaces all rules (and the random setting). */
  set(config: FaultConfig, seed?: number): void {
    this.rules = (config.rules ?? []).map((rule) => ({ rule, skipLeft: rule.skip ?? 0, timesLeft: rule.times ?? 1 }));
    this.random = config.random;
    if (seed !== undefined) this.rng = seededRandom(seed);
  }

  /** The fault for this request, if any; consumes one use of the first matching rule. */
  pick(method: string, path: string): Fault | undefined {
    for (const live of this.rules) {
      if (live.timesLeft <= 0 || !matchesPattern(live.rule.match, method, path)) continue;
      if (live.skipLeft > 0) {
        live.skipLeft--;
        return undefined;
      }
      live.timesLeft--;
      return live.rule.fault;
    }
    const random = this.random;
    if (!random || random.faults.length === 0) return undefined;
    if (random.match !== undefined && !matchesPattern(random.match, method, path)) return undefined;
    if (this.rng() >= random.rate) return undefined;
    return random.faults[Math.floor(this.rng() * random.faults.length)];
  }
}

// Parsing of `dbx-ts run` flag values: job parameters (`--param k=v`) and durations (`--timeout 30m`).
import { UserError } from '../errors/index.ts';

/** `k=v` pairs into job_parameters; the value may itself contain `=`. */
export function parseJobParams(pairs: readonly string[] = []): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UserError(`--param "${pair}" is not of the form name=value`, 'For example: --param catalog=sales_dev');
    const name = pair.slice(0, eq).trim();
    if (name in params) throw new UserError(`--param ${name} is given twice`);
    params[name] = pair.slice(eq + 1);
  }
  return params;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `1h30m`, `2h`, `500ms`, or a bare number of seconds, as milliseconds. */
export function parseDuration(text: string, flag = '--timeout'): number {
  const trimmed = text.trim().toLowerCase();
  const positive = (ms: number): number => {
    if (!(ms >= 1)) throw new UserError(`${flag} ${text}: must be a positive duration`, 'Use e.g. 90s, 30m, 1h30m or 2h.');
    return Math.round(ms);
  };
  if (/^\d+(\.\d+)?$/.test(trimmed)) return positive(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed !== trimmed) {
    throw new UserError(`${flag} "${text}" is not a duration`, 'Use e.g. 90s, 30m, 1h30m or 2h.');
  }
  return positive(parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0));
}

// Tables and durations for terminal output (the layout itself is src/text/table.ts, shared with query).
export { formatTable, type TableOptions } from '../../text/table.ts';

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || ms < 0) return '';
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 100) / 10;
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return `${m}m${Math.round(s % 60)}s`;
}

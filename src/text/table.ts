// The one table layout of dbx-ts output (task tables, result previews, runs, summary, query): a header, a rule
// of dashes, columns two spaces apart. Widths are display widths (string-width: wide CJK characters, emoji and
// colour codes counted as a terminal shows them), and cells are never cut: a URL or an id that is cut cannot be
// used. Only a live table that must fit a terminal clips its last (free-text) column.
import stringWidth from 'string-width';

export { stringWidth as displayWidth };

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'object') return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return String(value).replace(/\s+/g, ' ');
}

/** Pads to `width` display columns, on the right (text) or the left (numbers). */
export function pad(text: string, width: number, alignRight = false): string {
  const gap = ' '.repeat(Math.max(0, width - stringWidth(text)));
  return alignRight ? gap + text : text + gap;
}

/** Cuts `text` to at most `width` display columns, with an ellipsis when it had to cut. */
export function clip(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = '';
  for (const ch of text) {
    if (stringWidth(`${out}${ch}…`) > width) break;
    out += ch;
  }
  return `${out}…`;
}

/** One line of cells laid out in `widths` (each cell decorated after it is measured, e.g. coloured). */
export function tableLine(cells: readonly string[], widths: readonly number[], opts: { alignRight?: readonly boolean[]; decorate?: (column: number, text: string) => string } = {}): string {
  return cells
    .map((text, i) => {
      const padded = pad(text, widths[i] ?? 0, opts.alignRight?.[i] ?? false);
      return opts.decorate ? padded.replace(text, opts.decorate(i, text)) : padded;
    })
    .join('  ')
    .trimEnd();
}

export function ruleLine(widths: readonly number[]): string {
  return widths.map((w) => '-'.repeat(w)).join('  ');
}

export interface TableOptions {
  /** Fit lines to this many columns by clipping the last column (the only one allowed to lose text). */
  width?: number;
  /** Decorates a cell after measuring (colours), by column index. */
  decorate?: (column: number, text: string) => string;
  alignRight?: readonly boolean[];
}

export function formatTable(columns: readonly string[], rows: readonly (readonly unknown[])[], options: TableOptions = {}): string {
  const text = rows.map((r) => columns.map((_, i) => cellText(r[i])));
  const last = columns.length - 1;
  const widths = columns.map((c, i) => Math.max(stringWidth(c), ...text.map((r) => stringWidth(r[i]!))));
  if (options.width !== undefined && last >= 0) {
    const fixed = widths.slice(0, last).reduce((sum, w) => sum + w + 2, 0);
    const room = Math.max(stringWidth(columns[last]!), options.width - fixed);
    if (widths[last]! > room) {
      widths[last] = room;
      for (const r of text) r[last] = clip(r[last]!, room);
    }
  }
  const cellOpts = { ...(options.decorate ? { decorate: options.decorate } : {}), ...(options.alignRight ? { alignRight: options.alignRight } : {}) };
  return [tableLine(columns, widths), ruleLine(widths), ...text.map((r) => tableLine(r, widths, cellOpts))].join('\n');
}

// Renders engine events. Four ways, one per kind of reader:
// - tty: a live task table redrawn in place with a spinner line under it, colours; results after the final table;
// - plain (CI, pipes): one line per change, no escape codes;
// - json (`--json`): an NDJSON stream of the events themselves, stable codes, debug events only with --debug;
// - document (`-o json`): stdout is kept for the one JSON document the command prints at the end, progress goes
//   to stderr as plain lines.
// In every text mode warnings and errors go to stderr, so stdout holds only what was asked for.
import spinners from 'cli-spinners';
import type { DbxEvent, EventSink, TaskStateData } from '../../events/types.ts';
import { colourState, makeStyle, type Style } from './style.ts';
import { clip } from '../../text/table.ts';
import { formatDuration, formatTable } from './table.ts';

export type RenderMode = 'tty' | 'plain' | 'json' | 'document';

export interface Output {
  write(text: string): void;
  /** Terminal width, when the output is a terminal. */
  columns?: number;
}

export interface Renderer {
  sink: EventSink;
  /** Stops redrawing; the last table stays on screen, followed by the results held back until then. */
  close(): void;
  /** In document mode, prints the command's one JSON document on stdout; other modes have shown it as events. */
  document(value: unknown): void;
  /** Whether this renderer prints a JSON document (`-o json`), so the command builds one. */
  readonly wantsDocument: boolean;
  /** The results seen so far (tables, data-quality counts), for commands whose document is what they showed. */
  readonly results: ResultData[];
}

/** A result as a JSON document carries it: a table's rows as objects keyed by column, or quality counts. */
export type ResultData =
  | { title: string; table: string; columns: string[]; rows: Record<string, unknown>[] }
  | { title: string; pipeline: string; run_id?: string; metrics: Extract<DbxEvent, { code: 'quality.metrics' }>['data']['metrics'] };

function resultOf(e: DbxEvent): ResultData | undefined {
  if (e.code === 'table.preview') {
    const { table, columns, rows } = e.data;
    return { title: e.message, table, columns, rows: rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? null]))) };
  }
  if (e.code === 'quality.metrics') return { title: e.message, pipeline: e.data.pipeline, ...(e.data.run_id ? { run_id: e.data.run_id } : {}), metrics: e.data.metrics };
  return undefined;
}

/** One document for what a command showed: the one result, or the list of them. */
export function resultsDocument(results: readonly ResultData[]): unknown {
  return results.length === 1 ? results[0] : results;
}

export interface RendererOptions {
  /** Where warnings, errors and (with -o json) progress go; stdout when absent. */
  err?: Output;
  /** Show debug events (--debug, --log-level debug). */
  debug?: boolean;
  style?: Style;
  clock?: () => number;
}

export function chooseMode(opts: { json?: boolean; document?: boolean; isTTY?: boolean; ci?: boolean }): RenderMode {
  if (opts.document) return 'document';
  if (opts.json) return 'json';
  return opts.isTTY && !opts.ci ? 'tty' : 'plain';
}

const bigintSafe = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

function jsonLine(event: DbxEvent): string {
  return `${JSON.stringify({ ...event, time: new Date().toISOString() }, bigintSafe)}\n`;
}

/** The document text: pretty JSON, big ids as strings. */
export function documentText(value: unknown): string {
  return `${JSON.stringify(value, bigintSafe, 2)}\n`;
}

/** Text for every event that is not a task state change (those go into the task table or task lines). */
function eventText(event: DbxEvent, style: Style): string | undefined {
  switch (event.code) {
    case 'table.preview':
      return `${event.message}\n${formatTable(event.data.columns, event.data.rows)}\n`;
    case 'quality.metrics': {
      if (event.data.metrics.length === 0) return undefined;
      // An update that saw no records has nothing to tabulate: one line says so.
      if (event.data.metrics.every((m) => m.passed_records + m.failed_records + m.dropped_records === 0)) {
        return `${event.data.pipeline}: no records checked in this update\n`;
      }
      const rows = event.data.metrics.map((m) => [m.dataset, m.expectation, m.action, m.passed_records, m.failed_records, m.dropped_records]);
      return `${event.message}\n${formatTable(['dataset', 'expectation', 'action', 'passed', 'failed', 'dropped'], rows)}\n`;
    }
    case 'summary.text':
      return `${event.message} (${event.data.model})\n${event.data.text}\n`;
    default: {
      const prefix = event.level === 'error' ? style.red(style.bold('error: ')) : event.level === 'warn' ? style.yellow('warning: ') : '';
      return `${prefix}${event.message}\n`;
    }
  }
}

/**
 * Where an event's text goes: warnings and errors (and debug lines) to stderr, the rest to stdout. Data-quality
 * counts are results, on stdout whatever their level (a warn level only says some records failed).
 */
function toErr(event: DbxEvent): boolean {
  if (event.code === 'quality.metrics') return false;
  return event.level === 'error' || event.level === 'warn' || event.level === 'debug';
}

function taskRow(t: TaskStateData, now: number): string[] {
  const state = t.result ? `${t.state} ${t.result}` : t.state;
  const duration = t.start_time ? formatDuration((t.end_time ?? now) - t.start_time) : '';
  const start = t.start_time ? new Date(t.start_time).toISOString().slice(11, 19) : '';
  return [t.task_key, state, start, duration, t.attempt ? String(t.attempt) : '', t.update_id ?? '', t.message ?? ''];
}

const TASK_COLUMNS = ['task', 'state', 'start', 'duration', 'attempt', 'update', 'detail'];

function resolveOptions(options: RendererOptions | (() => number) | undefined): Required<Omit<RendererOptions, 'err'>> & { err?: Output } {
  const given = typeof options === 'function' ? { clock: options } : (options ?? {});
  return { debug: false, style: makeStyle(false), clock: Date.now, ...given };
}

export function createRenderer(mode: RenderMode, out: Output, options?: RendererOptions | (() => number)): Renderer {
  const { err = out, debug, style, clock } = resolveOptions(options);
  const results: ResultData[] = [];
  const remember = (e: DbxEvent) => {
    // Results are what the command was asked for; a sample shown with an error is part of the error.
    const result = e.level === 'error' ? undefined : resultOf(e);
    if (result) results.push(result);
  };
  const base = { results, wantsDocument: mode === 'document', document: (_value: unknown) => {} };

  if (mode === 'json') {
    return {
      ...base,
      sink: (e) => {
        remember(e);
        if (e.level !== 'debug' || debug) out.write(jsonLine(e));
      },
      close: () => {},
    };
  }

  if (mode === 'plain' || mode === 'document') {
    // With -o json every line is progress for people, on stderr; results travel in the document.
    const textOut = mode === 'document' ? err : out;
    const last = new Map<string, string>();
    return {
      ...base,
      document: (value) => {
        if (mode === 'document') out.write(documentText(value));
      },
      sink: (e) => {
        remember(e);
        if (e.level === 'debug' && !debug) return;
        if (e.code !== 'task.state') {
          if (mode === 'document' && resultOf(e) && e.level !== 'error') return;
          const text = eventText(e, style);
          if (text) (toErr(e) ? err : textOut).write(text);
          return;
        }
        const key = `${e.data.state}/${e.data.result ?? ''}/${e.data.attempt ?? ''}`;
        if (last.get(e.data.task_key) === key) return;
        last.set(e.data.task_key, key);
        const d = e.data;
        const duration = d.start_time && d.end_time ? ` in ${formatDuration(d.end_time - d.start_time)}` : '';
        const state = colourState(style, d.result ? `${d.state} ${d.result}` : d.state);
        textOut.write(`task ${d.task_key}: ${state}${duration}${d.message ? ` — ${d.message}` : ''}\n`);
      },
      close: () => {},
    };
  }
  return liveRenderer(out, err, { debug, style, clock, base, remember });
}

/**
 * A terminal: messages print above a live area (the task table, then a spinner line naming what is happening)
 * that is redrawn in place. Results that arrive while a task table is live are held back and printed after the
 * final table, so the last thing on screen is the answer, not the progress.
 */
function liveRenderer(
  out: Output,
  err: Output,
  opts: { debug: boolean; style: Style; clock: () => number; base: Pick<Renderer, 'results' | 'wantsDocument' | 'document'>; remember: (e: DbxEvent) => void },
): Renderer {
  const { style, clock } = opts;
  const tasks = new Map<string, TaskStateData>();
  const heldResults: string[] = [];
  const spinner = spinners.dots;
  let frame = 0;
  let activity: string | undefined;
  let drawnLines = 0;
  let closed = false;

  const erase = () => {
    if (drawnLines > 0) out.write(`\x1b[${drawnLines}A\x1b[0J`);
    drawnLines = 0;
  };
  const draw = () => {
    const lines: string[] = [];
    // Lines longer than the terminal would wrap, and the cursor-up count would then leave copies behind.
    const width = Math.max(20, (out.columns ?? 120) - 1);
    if (tasks.size > 0) {
      const now = clock();
      const rows = [...tasks.values()].map((t) => taskRow(t, now));
      // Fitted first (the detail column gives way, then whole lines are clipped), coloured after.
      const table = formatTable(TASK_COLUMNS, rows, { width });
      lines.push(...table.split('\n').map((line) => colourState(style, clip(line, width))));
    }
    if (!closed && activity !== undefined) {
      const text = activity.length > width - 2 ? `${activity.slice(0, width - 3)}…` : activity;
      lines.push(`${style.cyan(spinner.frames[frame % spinner.frames.length]!)} ${style.dim(text)}`);
    }
    if (lines.length === 0) return;
    out.write(`${lines.join('\n')}\n`);
    drawnLines = lines.length;
  };
  const redraw = () => {
    erase();
    draw();
  };
  const timer = setInterval(() => {
    frame += 1;
    redraw();
  }, spinner.interval * 2);
  timer.unref();

  return {
    ...opts.base,
    sink: (e) => {
      opts.remember(e);
      if (e.level === 'debug' && !opts.debug) return;
      if (e.code === 'task.state') {
        tasks.set(e.data.task_key, { ...tasks.get(e.data.task_key), ...e.data });
        redraw();
        return;
      }
      const text = eventText(e, style);
      if (!text) return;
      if (e.level === 'result' && tasks.size > 0) {
        heldResults.push(text);
        return;
      }
      if (e.level === 'info') activity = e.message.split('\n')[0];
      erase();
      (toErr(e) ? err : out).write(text);
      draw();
    },
    close: () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      redraw();
      for (const text of heldResults) out.write(text);
    },
  };
}

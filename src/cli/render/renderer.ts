// Renders engine events: a live task table on a terminal, one line per change in CI, NDJSON with --json.
import type { DbxEvent, EventSink, TaskStateData } from '../../events/types.ts';
import { formatDuration, formatTable } from './table.ts';

export type RenderMode = 'tty' | 'plain' | 'json';

export interface Output {
  write(text: string): void;
  /** Terminal width, when the output is a terminal. */
  columns?: number;
}

export interface Renderer {
  sink: EventSink;
  /** Stops redrawing; the last table stays on screen. */
  close(): void;
}

export function chooseMode(opts: { json?: boolean; isTTY?: boolean; ci?: boolean }): RenderMode {
  if (opts.json) return 'json';
  return opts.isTTY && !opts.ci ? 'tty' : 'plain';
}

function jsonLine(event: DbxEvent): string {
  return `${JSON.stringify({ ...event, time: new Date().toISOString() }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`;
}

/** Text for every event that is not a task state change (those go into the task table or task lines). */
function eventText(event: DbxEvent): string | undefined {
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
    default:
      if (event.level === 'debug') return undefined;
      return `${event.level === 'error' ? 'error: ' : event.level === 'warn' ? 'warning: ' : ''}${event.message}\n`;
  }
}

function taskRow(t: TaskStateData, now: number): string[] {
  const state = t.result ? `${t.state} ${t.result}` : t.state;
  const duration = t.start_time ? formatDuration((t.end_time ?? now) - t.start_time) : '';
  const start = t.start_time ? new Date(t.start_time).toISOString().slice(11, 19) : '';
  return [t.task_key, state, start, duration, t.attempt ? String(t.attempt) : '', t.update_id ?? '', t.message ?? ''];
}

const TASK_COLUMNS = ['task', 'state', 'start', 'duration', 'attempt', 'update', 'detail'];

export function createRenderer(mode: RenderMode, out: Output, clock: () => number = Date.now): Renderer {
  if (mode === 'json') return { sink: (e) => out.write(jsonLine(e)), close: () => {} };

  const tasks = new Map<string, TaskStateData>();
  if (mode === 'plain') {
    const last = new Map<string, string>();
    return {
      sink: (e) => {
        if (e.code !== 'task.state') {
          const text = eventText(e);
          if (text) out.write(text);
          return;
        }
        const key = `${e.data.state}/${e.data.result ?? ''}/${e.data.attempt ?? ''}`;
        if (last.get(e.data.task_key) === key) return;
        last.set(e.data.task_key, key);
        const d = e.data;
        const duration = d.start_time && d.end_time ? ` in ${formatDuration(d.end_time - d.start_time)}` : '';
        out.write(`task ${d.task_key}: ${d.result ? `${d.state} ${d.result}` : d.state}${duration}${d.message ? ` — ${d.message}` : ''}\n`);
      },
      close: () => {},
    };
  }

  // TTY: messages print above a task table that is redrawn in place.
  let drawnLines = 0;
  const redraw = () => {
    if (tasks.size === 0) return;
    const now = clock();
    // Lines longer than the terminal would wrap, and the cursor-up count below would then leave copies behind.
    const width = Math.max(20, (out.columns ?? 120) - 1);
    const table = formatTable(TASK_COLUMNS, [...tasks.values()].map((t) => taskRow(t, now)), 60)
      .split('\n')
      .map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line))
      .join('\n');
    const clear = drawnLines > 0 ? `\x1b[${drawnLines}A\x1b[0J` : '';
    out.write(`${clear}${table}\n`);
    drawnLines = table.split('\n').length;
  };
  const timer = setInterval(redraw, 1000);
  timer.unref();
  return {
    sink: (e) => {
      if (e.code === 'task.state') {
        tasks.set(e.data.task_key, { ...tasks.get(e.data.task_key), ...e.data });
        redraw();
        return;
      }
      const text = eventText(e);
      if (!text) return;
      if (drawnLines > 0) {
        out.write(`\x1b[${drawnLines}A\x1b[0J`);
        drawnLines = 0;
      }
      out.write(text);
      redraw();
    },
    close: () => {
      clearInterval(timer);
      redraw();
    },
  };
}

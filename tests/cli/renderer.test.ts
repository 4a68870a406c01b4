import { describe, expect, it } from 'vitest';
import { chooseMode, createRenderer, resultsDocument } from '../../src/cli/render/renderer.ts';
import { colourEnabled, makeStyle } from '../../src/cli/render/style.ts';
import { formatTable } from '../../src/text/table.ts';
import type { DbxEvent } from '../../src/events/types.ts';

const task = (task_key: string, state: string, extra: Record<string, unknown> = {}): DbxEvent => ({
  code: 'task.state',
  level: 'info',
  message: `${task_key}: ${state}`,
  data: { run_id: 'r', task_key, state, ...extra },
});

function capture() {
  let text = '';
  return { out: { write: (s: string) => void (text += s) }, text: () => text };
}

describe('renderer', () => {
  it('chooses NDJSON for --json, a live table on a terminal, plain lines in CI or a pipe', () => {
    expect(chooseMode({ json: true, isTTY: true })).toBe('json');
    expect(chooseMode({ isTTY: true })).toBe('tty');
    expect(chooseMode({ isTTY: true, ci: true })).toBe('plain');
    expect(chooseMode({ isTTY: false })).toBe('plain');
  });

  it('in plain mode prints one line per task state change, with duration and detail', () => {
    const c = capture();
    const r = createRenderer('plain', c.out);
    r.sink(task('a', 'RUNNING', { start_time: 1_000 }));
    r.sink(task('a', 'RUNNING', { start_time: 1_000 }));
    r.sink(task('a', 'TERMINATED', { result: 'FAILED', start_time: 1_000, end_time: 3_500, message: 'boom' }));
    r.close();
    expect(c.text()).toBe('task a: RUNNING\ntask a: TERMINATED FAILED in 2.5s — boom\n');
  });

  it('in json mode writes one parseable event per line, big ids as strings', () => {
    const c = capture();
    const r = createRenderer('json', c.out);
    r.sink({ code: 'run.started', level: 'info', message: 'started', data: { run_id: String(2n ** 60n), job_key: 'j' } });
    r.sink(task('a', 'PENDING'));
    const lines = c.text().trim().split('\n').map((l) => JSON.parse(l) as { code: string; data: { run_id: string } });
    expect(lines.map((l) => l.code)).toEqual(['run.started', 'task.state']);
    expect(lines[0]!.data.run_id).toBe('1152921504606846976');
  });

  it('on a terminal redraws the task table in place and prints messages above it', () => {
    const c = capture();
    const r = createRenderer('tty', c.out, () => 5_000);
    r.sink(task('a', 'RUNNING', { start_time: 1_000 }));
    r.sink(task('b', 'PENDING'));
    r.sink({ code: 'log', level: 'warn', message: 'careful', data: {} });
    r.close();
    const text = c.text();
    expect(text).toContain('\x1b[3A\x1b[0J'); // the 3-line table (header, rule, row a) is erased before redrawing
    expect(text).toContain('warning: careful\n');
    const lastTable = text.slice(text.lastIndexOf('task ')).split('\n');
    expect(lastTable[2]).toMatch(/^a\s+RUNNING\s+00:00:01\s+4s/);
    expect(lastTable[3]).toMatch(/^b\s+PENDING/);
  });

  it('on a terminal clips table lines to its width, so redrawing never leaves wrapped copies behind', () => {
    let text = '';
    const r = createRenderer('tty', { write: (s: string) => void (text += s), columns: 40 }, () => 5_000);
    r.sink(task('a_task_with_a_long_key', 'TERMINATED', { result: 'SUCCESS', start_time: 1_000, end_time: 4_000, message: 'x'.repeat(80) }));
    r.close();
    const ESC = String.fromCharCode(27);
    const lines = text.split(`${ESC}[0J`).join('').replace(new RegExp(`${ESC}\\[\\d+A`, 'g'), '').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(39);
  });

  it('tabulates data-quality metrics, and says so in one line when an update checked nothing', () => {
    const c = capture();
    const r = createRenderer('plain', c.out);
    const metric = { dataset: 'silver.sales', expectation: 'positive_qty', action: 'drop' as const };
    r.sink({ code: 'quality.metrics', level: 'info', message: 'quality', data: { pipeline: 'p', metrics: [{ ...metric, passed_records: 9, failed_records: 1, dropped_records: 1 }] } });
    r.sink({ code: 'quality.metrics', level: 'info', message: 'quality', data: { pipeline: 'p', metrics: [{ ...metric, passed_records: 0, failed_records: 0, dropped_records: 0 }] } });
    expect(c.text()).toMatch(/silver\.sales\s+positive_qty\s+drop\s+9\s+1\s+1/);
    expect(c.text()).toContain('p: no records checked in this update\n');
  });
});

describe('output for people and for scripts', () => {
  const preview = (message: string): DbxEvent => ({ code: 'table.preview', level: 'result', message, data: { table: 't', columns: ['id', 'url'], rows: [[1, 'https://adb-1.azuredatabricks.net/?o=1#job/123456789/run/987654321']] } });

  it('prints warnings and errors on stderr, results and progress on stdout', () => {
    const out = capture();
    const err = capture();
    const r = createRenderer('plain', out.out, { err: err.out });
    r.sink({ code: 'log', level: 'info', message: 'working', data: {} });
    r.sink({ code: 'log', level: 'warn', message: 'careful', data: {} });
    r.sink({ code: 'log', level: 'error', message: 'broken', data: {} });
    r.sink({ code: 'log', level: 'debug', message: 'GET /api', data: {} });
    r.sink(preview('Runs:'));
    expect(err.text()).toBe('warning: careful\nerror: broken\n');
    expect(out.text()).toContain('working\n');
    expect(out.text()).toContain('https://adb-1.azuredatabricks.net/?o=1#job/123456789/run/987654321');
  });

  it('on a terminal prints results after the final task table, not above the live one', () => {
    const out = capture();
    const r = createRenderer('tty', out.out, { clock: () => 5_000 });
    r.sink(task('a', 'RUNNING', { start_time: 1_000 }));
    r.sink(preview('Top products:'));
    expect(out.text()).not.toContain('Top products:');
    r.sink(task('a', 'TERMINATED', { result: 'SUCCESS', start_time: 1_000, end_time: 4_000 }));
    r.close();
    const text = out.text();
    expect(text.lastIndexOf('Top products:')).toBeGreaterThan(text.lastIndexOf('TERMINATED SUCCESS'));
  });

  it('colours states on a terminal when asked, and never in the NDJSON stream', () => {
    const out = capture();
    const r = createRenderer('tty', out.out, { style: makeStyle(true), clock: () => 5_000 });
    r.sink(task('a', 'TERMINATED', { result: 'FAILED', start_time: 1_000, end_time: 4_000 }));
    r.close();
    expect(out.text()).toContain('\x1b[31mFAILED\x1b[39m');
  });

  it('drops debug events from the NDJSON stream unless debugging', () => {
    const quiet = capture();
    createRenderer('json', quiet.out).sink({ code: 'log', level: 'debug', message: 'GET /api', data: {} });
    expect(quiet.text()).toBe('');
    const loud = capture();
    createRenderer('json', loud.out, { debug: true }).sink({ code: 'log', level: 'debug', message: 'GET /api', data: {} });
    expect(JSON.parse(loud.text())).toMatchObject({ level: 'debug', message: 'GET /api' });
  });

  it('with -o json keeps stdout for the one document and collects what was shown', () => {
    const out = capture();
    const err = capture();
    const r = createRenderer('document', out.out, { err: err.out });
    r.sink({ code: 'log', level: 'info', message: 'working', data: {} });
    r.sink(preview('Runs:'));
    r.document(resultsDocument(r.results));
    r.close();
    expect(err.text()).toBe('working\n');
    expect(JSON.parse(out.text())).toEqual({ title: 'Runs:', table: 't', columns: ['id', 'url'], rows: [{ id: 1, url: 'https://adb-1.azuredatabricks.net/?o=1#job/123456789/run/987654321' }] });
  });

  it('chooses colour as NO_COLOR and FORCE_COLOR say, else by whether the stream is a terminal', () => {
    expect(colourEnabled({}, true)).toBe(true);
    expect(colourEnabled({}, false)).toBe(false);
    expect(colourEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colourEnabled({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colourEnabled({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colourEnabled({ TERM: 'dumb' }, true)).toBe(false);
  });

  it('measures tables by display width and never cuts a cell', () => {
    const table = formatTable(['city', 'id'], [['東京', '01ef2b3c4d5e6f708192a3b4c5d6e7f8'], ['Paris', 'x']]);
    expect(table.split('\n')).toEqual(['city   id', '-----  --------------------------------', '東京   01ef2b3c4d5e6f708192a3b4c5d6e7f8', 'Paris  x']);
  });
});

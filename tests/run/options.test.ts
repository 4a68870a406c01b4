// Flag parsing for `dbx-ts run`, and the pieces of failure reports: trace tails and downstream tasks.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors/index.ts';
import { downstreamOf, traceTail } from '../../src/run/failures.ts';
import { parseDuration, parseJobParams } from '../../src/run/options.ts';
import { parseRunRef } from '../../src/run/runs.ts';
import type { RunSnapshot } from '../../src/run/snapshot.ts';

describe('--param', () => {
  it('splits on the first =, so values may contain =', () => {
    expect(parseJobParams(['catalog=dev', 'filter=a=b', 'empty='])).toEqual({ catalog: 'dev', filter: 'a=b', empty: '' });
  });
  it.each([['novalue'], ['=x']])('rejects %s', (pair) => {
    expect(() => parseJobParams([pair])).toThrow(UserError);
  });
  it('rejects a name given twice', () => {
    expect(() => parseJobParams(['a=1', 'a=2'])).toThrow(/given twice/);
  });
});

describe('--timeout', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['2h', 7_200_000],
    ['500ms', 500],
    ['45', 45_000],
    ['1.5m', 90_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', 'soon', '10 minutes', '5x', '0s', '-5m'])('rejects "%s"', (text) => {
    expect(() => parseDuration(text)).toThrow(UserError);
  });
});

describe('run references', () => {
  it('a number is a run id (kept as text, exact beyond 2^53); anything else a job key', () => {
    expect(parseRunRef('9007199254740993')).toEqual({ runId: '9007199254740993' });
    expect(parseRunRef('unified-workflow')).toEqual({ jobKey: 'unified-workflow' });
  });
});

describe('failure reports', () => {
  it('keeps the end of a long trace, where the exception is', () => {
    const trace = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
    const tail = traceTail(trace, 5);
    expect(tail).toBe('…\nline 45\nline 46\nline 47\nline 48\nline 49');
    expect(traceTail('short\ntrace\n')).toBe('short\ntrace');
  });

  it('cuts a trace of very long lines to a character budget', () => {
    const tail = traceTail(`${'x'.repeat(10_000)}\nValueError: bad`, 20, 100);
    expect(tail.endsWith('ValueError: bad')).toBe(true);
    expect(tail.length).toBeLessThanOrEqual(102);
  });

  it('finds every task downstream of a failure, in run order', () => {
    const t = (key: string, dependsOn: string[] = []) => ({ key, dependsOn, state: { lifeCycle: 'TERMINATED' }, attempt: 0 });
    const snap: RunSnapshot = { runId: '1', state: { lifeCycle: 'TERMINATED' }, repairIds: [], tasks: [t('a'), t('b'), t('c', ['a']), t('d', ['c', 'b']), t('e', ['b'])] };
    expect(downstreamOf(snap, 'a')).toEqual(['c', 'd']);
    expect(downstreamOf(snap, 'b')).toEqual(['d', 'e']);
    expect(downstreamOf(snap, 'e')).toEqual([]);
  });
});

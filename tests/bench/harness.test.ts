// The benchmark harness: pairs alternate their order, summaries are spreads of paired ratios (not ratios of
// best or median times), and child sides report what they measured.
import { describe, expect, it } from 'vitest';
import { comparePaired, formatComparison, pairedRatios, pairOrder, quantile, spread, type Sample, type Side } from '../../bench/harness.ts';

const sample = (wallMs: number, cpuMs = wallMs): Sample => ({ wallMs, cpuMs, peakRssMb: 100, metrics: { requests: wallMs / 10 } });

/** A side that returns the given wall times in turn and logs when it ran. */
function scripted(label: string, times: number[], log: string[]): Side {
  let i = 0;
  return {
    label,
    run: async () => {
      log.push(label);
      return sample(times[i++]!);
    },
  };
}

describe('bench harness', () => {
  it('alternates which side goes first', () => {
    expect([0, 1, 2, 3].map(pairOrder)).toEqual([
      ['measured', 'baseline'],
      ['baseline', 'measured'],
      ['measured', 'baseline'],
      ['baseline', 'measured'],
    ]);
  });

  it('runs the sides in alternating order and pairs their samples by repetition', async () => {
    const log: string[] = [];
    const c = await comparePaired({ title: 't', measured: scripted('m', [110, 150, 120], log), baseline: scripted('b', [100, 100, 80], log), reps: 3 });
    expect(log).toEqual(['m', 'b', 'b', 'm', 'm', 'b']);
    expect(c.pairs.map((p) => p.first)).toEqual(['measured', 'baseline', 'measured']);
    // Paired ratios 1.1, 1.5, 1.5: the median is 1.5, where best/best (110/80) would say 1.375.
    expect(pairedRatios(c, (s) => s.wallMs)).toEqual({ min: 1.1, median: 1.5, max: 1.5 });
  });

  it('runs each side once unmeasured when asked to warm up', async () => {
    const log: string[] = [];
    const c = await comparePaired({ title: 't', measured: scripted('m', [1, 2], log), baseline: scripted('b', [1, 2], log), reps: 1, warmup: true });
    expect(log).toEqual(['m', 'b', 'm', 'b']);
    expect(c.pairs[0]!.measured.wallMs).toBe(2);
  });

  it('takes nearest-rank quantiles and medians of even counts', () => {
    const values = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(quantile(values, 0.9)).toBe(9);
    expect(quantile(values, 1)).toBe(10);
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 });
  });

  it('summarises per side and the paired ratios, with the load beside them', async () => {
    const c = await comparePaired({ title: 'demo', measured: scripted('fast', [50, 60, 40], []), baseline: scripted('slow', [100, 100, 100], []), reps: 3 });
    const text = formatComparison(c, [{ key: 'requests', label: 'requests', ratio: true }]);
    expect(text).toContain('demo: 3 pairs, order alternated');
    expect(text).toMatch(/fast\s+50 ms \(40 ms–60 ms\)/);
    expect(text).toContain('wall 0.40 / 0.50 / 0.60');
    expect(text).toMatch(/requests\s+5\s+10\s+0\.40 \/ 0\.50 \/ 0\.60/);
    expect(text).toMatch(/load average \d/);
  });
});

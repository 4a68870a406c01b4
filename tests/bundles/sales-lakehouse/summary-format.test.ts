// The summary's number formatting, written out by hand, gives what en-US Intl formatting gives.
import { describe, expect, it } from 'vitest';
import { formatCount, formatMoney, formatPercent } from '../../../bundles/sales-lakehouse/summary/format.ts';
import { seededRandom } from '../../../src/seeded-random.ts';

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

describe('summary number formatting', () => {
  it('matches en-US formatting for edge values and random amounts of every size', () => {
    const random = seededRandom(7);
    const values = [0, -0, 0.005, 0.015, 1.005, 2.5, -2.5, 0.125, -0.004, 999.995, 1000, 1234567.891, -9876543.21, 1e15];
    for (let i = 0; i < 2000; i++) values.push(Math.round((random() - 0.3) * 10 ** Math.floor(random() * 10) * 1000) / 1000);
    for (const v of values) {
      expect(formatMoney(v), String(v)).toBe(money.format(v));
      expect(formatCount(v), String(v)).toBe(count.format(v));
      expect(formatPercent(v), String(v)).toBe(`${percent.format(v)}%`);
    }
  });
});

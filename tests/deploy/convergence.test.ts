// Issue 11's convergence target, on 10 seeds (bench:faults runs 30): with 20% of requests failing with every
// kind of fault, deploys converge on the first attempt (≥ 9 of 10), all within two plain attempts, with no
// duplicates and no lock left behind. Time is virtual, so this takes seconds.
import { describe, expect, it } from 'vitest';
import { referenceDeploy, runSeed, summarise, type SeedOutcome } from './convergence.ts';

describe('deploy convergence under 20% faults of every kind', () => {
  it('meets the targets on 10 seeds', async () => {
    const reference = await referenceDeploy();
    const outcomes: SeedOutcome[] = [];
    for (let seed = 1; seed <= 10; seed++) outcomes.push(await runSeed(reference, seed));
    const figures = summarise(outcomes);
    const report = outcomes.map((o) => `seed ${o.seed}: attempts ${o.attempts} ${o.errors.join(' | ')}`).join('\n');
    expect(figures.firstAttempt, report).toBeGreaterThanOrEqual(9);
    expect(figures.withinTwo, report).toBe(10);
    expect(figures.duplicates, report).toBe(0);
    expect(figures.staleLocks, report).toBe(0);
    // The faults were real: about a fifth of all requests, lost responses of creates among them.
    expect(figures.faulted / figures.requests).toBeGreaterThan(0.12);
  });
});

// Run and task states from the legacy `state` and the 2.2 `status` shapes, and what they mean for the exit code.
import { describe, expect, it } from 'vitest';
import { isTerminal, normalState, outcomeOf } from '../../src/run/states.ts';

describe('normalState', () => {
  it('prefers the legacy state, which names upstream skips', () => {
    const s = normalState({
      state: { life_cycle_state: 'SKIPPED', result_state: 'UPSTREAM_FAILED', state_message: 'Upstream task failed.' },
      status: { state: 'TERMINATED', termination_details: { code: 'SKIPPED', type: 'SUCCESS' } },
    });
    expect(s).toEqual({ lifeCycle: 'SKIPPED', result: 'UPSTREAM_FAILED', message: 'Upstream task failed.' });
  });

  it.each([
    [{ state: 'QUEUED' }, { lifeCycle: 'QUEUED' }],
    [{ state: 'WAITING' }, { lifeCycle: 'WAITING_FOR_RETRY' }],
    [{ state: 'BLOCKED' }, { lifeCycle: 'BLOCKED' }],
    [{ state: 'TERMINATED', termination_details: { code: 'SUCCESS' } }, { lifeCycle: 'TERMINATED', result: 'SUCCESS' }],
    [{ state: 'TERMINATED', termination_details: { code: 'USER_CANCELED' } }, { lifeCycle: 'TERMINATED', result: 'CANCELED' }],
    [{ state: 'TERMINATED', termination_details: { code: 'RUN_EXECUTION_ERROR', message: 'boom' } }, { lifeCycle: 'TERMINATED', result: 'FAILED', message: 'boom' }],
    [{ state: 'TERMINATED', termination_details: { code: 'A_CODE_FROM_2027' } }, { lifeCycle: 'TERMINATED', result: 'FAILED' }],
    [{ state: 'A_STATE_FROM_2027' }, { lifeCycle: 'A_STATE_FROM_2027' }],
  ])('reads the 2.2 status %j when there is no legacy state', (status, expected) => {
    expect(normalState({ status })).toEqual(expected);
  });

  it('passes unknown legacy values through instead of failing', () => {
    expect(normalState({ state: { life_cycle_state: 'NEW_STATE', result_state: 'NEW_RESULT' } })).toEqual({ lifeCycle: 'NEW_STATE', result: 'NEW_RESULT' });
  });
});

describe('terminal states and outcomes', () => {
  it.each(['TERMINATED', 'SKIPPED', 'INTERNAL_ERROR'])('%s is terminal', (lifeCycle) => {
    expect(isTerminal({ lifeCycle })).toBe(true);
  });
  it.each(['QUEUED', 'PENDING', 'RUNNING', 'TERMINATING', 'BLOCKED', 'WAITING_FOR_RETRY'])('%s is not', (lifeCycle) => {
    expect(isTerminal({ lifeCycle })).toBe(false);
  });

  it.each([
    ['SUCCESS', 'success'],
    ['SUCCESS_WITH_FAILURES', 'success'],
    ['FAILED', 'failed'],
    ['MAXIMUM_CONCURRENT_RUNS_REACHED', 'failed'],
    ['CANCELED', 'cancelled'],
    ['TIMEDOUT', 'timedout'],
  ])('a run ending %s is a %s', (result, outcome) => {
    expect(outcomeOf({ lifeCycle: 'TERMINATED', result })).toBe(outcome);
  });

  it('an internal error is a failure whatever the result says', () => {
    expect(outcomeOf({ lifeCycle: 'INTERNAL_ERROR' })).toBe('failed');
  });
});

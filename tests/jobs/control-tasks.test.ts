// The control-flow task types in the one scheduler: condition tasks (operands, outcome branches, EXCLUDED),
// for-each tasks (inputs, {{input}}, concurrency, per-iteration retries, stats) and run-job tasks (through the
// caller's runJob). Time is a manual timer: no test waits on the wall clock.
import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '../../src/jobs/condition.ts';
import { resolveReferences } from '../../src/jobs/dynamic-values.ts';
import { type AttemptOutcome, type IterationEvent, runTasks } from '../../src/jobs/run-tasks.ts';
import { type SchedulableTask, type Step, TaskScheduler } from '../../src/jobs/task-scheduler.ts';
import { ManualTimer, settle } from './manual-timer.ts';

type Task = SchedulableTask & Record<string, unknown>;
const task = (task_key: string, deps: (string | [string, string])[] = [], extra: Record<string, unknown> = {}): Task => ({
  task_key,
  ...(deps.length ? { depends_on: deps.map((d) => (typeof d === 'string' ? { task_key: d } : { task_key: d[0], outcome: d[1] })) } : {}),
  ...extra,
});
const brief = (steps: Step[]) =>
  steps.map((s) => (s.kind === 'start' ? `start ${s.key}` : s.kind === 'skip' ? `skip ${s.key} ${s.result}` : `end ${s.key} ${s.result}${s.retryAt !== undefined ? ` retry@${s.retryAt}` : ''}`));

describe('dynamic value references and condition operands', () => {
  const ctx = { job: { id: '42', run_id: '7', parameters: { threshold: '10', env: 'dev' } }, task: (k: string) => (k === 'count' ? { values: { rows: 12 }, result_state: 'SUCCESS' } : undefined) };

  it('resolves job, task and input references; strictly, an unknown one is an error naming it', () => {
    expect(resolveReferences('{{job.id}}/{{ job.run_id }}/{{job.parameters.env}}/{{tasks.count.values.rows}}', ctx)).toBe('42/7/dev/12');
    expect(resolveReferences('{{input.table}}', { input: { table: 'orders' } })).toBe('orders');
    expect(resolveReferences('{{job.parameters.nope}}', ctx)).toBe('{{job.parameters.nope}}');
    expect(() => resolveReferences('{{job.parameters.nope}}', ctx, true)).toThrow('Cannot resolve {{job.parameters.nope}}: the job has no parameter "nope".');
    expect(() => resolveReferences('{{tasks.other.values.x}}', ctx, true)).toThrow('no task "other"');
  });

  it('compares EQUAL_TO / NOT_EQUAL as strings and the ordering operators as numbers, as the docs say', () => {
    expect(evaluateCondition({ op: 'EQUAL_TO', left: '12.0', right: '12' }, {}).outcome).toBe('false');
    expect(evaluateCondition({ op: 'NOT_EQUAL', left: '{{job.parameters.env}}', right: 'prod' }, ctx)).toEqual({ outcome: 'true', left: 'dev', right: 'prod' });
    expect(evaluateCondition({ op: 'GREATER_THAN_OR_EQUAL', left: '12.0', right: '12' }, {}).outcome).toBe('true');
    expect(evaluateCondition({ op: 'GREATER_THAN_OR_EQUAL', left: '10.0', right: '12' }, {}).outcome).toBe('false');
    // 9 < 10 numerically, though "9" > "10" as strings.
    expect(evaluateCondition({ op: 'LESS_THAN', left: '9', right: '{{job.parameters.threshold}}' }, ctx).outcome).toBe('true');
    expect(evaluateCondition({ op: 'GREATER_THAN', left: '{{tasks.count.values.rows}}', right: '{{job.parameters.threshold}}' }, ctx).outcome).toBe('true');
    expect(() => evaluateCondition({ op: 'GREATER_THAN', left: 'abc', right: '1' }, {})).toThrow('left operand "abc" is not a number');
    expect(() => evaluateCondition({ op: 'LIKE', left: 'a', right: 'a' }, {})).toThrow('condition_task.op must be one of');
  });
});

describe('condition outcomes in the scheduler', () => {
  it('runs the branch whose outcome matches; the other is EXCLUDED, and run_if treats it as excluded', () => {
    const s = new TaskScheduler(
      [
        task('check'),
        task('when_true', [['check', 'true']]),
        task('after_true', ['when_true']),
        task('when_false', [['check', 'false']]),
        task('join', ['when_true', 'when_false'], { run_if: 'NONE_FAILED' }),
      ],
      0,
    );
    expect(brief(s.advance(0))).toEqual(['start check']);
    expect(brief(s.finish('check', 0, 'SUCCESS', 1, 'false'))).toEqual(['end check SUCCESS', 'skip when_true EXCLUDED', 'skip after_true EXCLUDED', 'start when_false']);
    expect(s.outcome('check')).toBe('false');
    expect(brief(s.finish('when_false', 0, 'SUCCESS', 2))).toEqual(['end when_false SUCCESS', 'start join']);
    s.finish('join', 0, 'SUCCESS', 3);
    expect(Object.fromEntries(s.results())).toEqual({ check: 'SUCCESS', when_true: 'EXCLUDED', after_true: 'EXCLUDED', when_false: 'SUCCESS', join: 'SUCCESS' });
  });

  it('a failed condition fails its branches upstream; a repair keeps the known outcome', () => {
    const failed = new TaskScheduler([task('check'), task('yes', [['check', 'true']])], 0);
    failed.advance(0);
    expect(brief(failed.finish('check', 0, 'FAILED', 1))).toEqual(['end check FAILED', 'skip yes UPSTREAM_FAILED']);
    const repair = new TaskScheduler([task('yes', [['check', 'true']]), task('no', [['check', 'false']])], 0, { known: new Map([['check', 'SUCCESS']]), knownOutcomes: new Map([['check', 'true']]) });
    expect(brief(repair.advance(0))).toEqual(['skip no EXCLUDED', 'start yes']);
  });
});

describe('runTasks: control-flow tasks', () => {
  it('evaluates a condition task with the run references and follows its branch', async () => {
    const ran: string[] = [];
    const steps: string[] = [];
    const results = await runTasks<Task, string>({
      tasks: [task('check', [], { condition_task: { op: 'GREATER_THAN', left: '{{job.parameters.rows}}', right: '100' } }), task('big', [['check', 'true']]), task('small', [['check', 'false']])],
      references: { job: { parameters: { rows: '250' } } },
      execute: async (t) => {
        ran.push(t.task_key);
        return 'ok';
      },
      onStep: (step, outcome) => {
        if (step.kind === 'end' && outcome?.control?.kind === 'condition') steps.push(`${step.key} ${outcome.control.left} > ${outcome.control.right}: ${outcome.control.outcome}`);
      },
    });
    expect(ran).toEqual(['big']);
    expect(steps).toEqual(['check 250 > 100: true']);
    expect(Object.fromEntries(results)).toEqual({ check: 'SUCCESS', big: 'SUCCESS', small: 'EXCLUDED' });
  });

  it('runs a for-each iteration per input, {{input}} filled in, at most `concurrency` at once, retrying iterations; one failing iteration fails the task', async () => {
    const timer = new ManualTimer(0);
    const started: string[] = [];
    const open = new Map<string, { resolve: (v: string) => void; reject: (e: Error) => void }>();
    const iterations: IterationEvent<string>[] = [];
    let ended: AttemptOutcome<string> | undefined;
    const nested = { task_key: 'load', notebook_task: { notebook_path: '/nb', base_parameters: { table: '{{input.table}}', env: '{{job.parameters.env}}' } }, max_retries: 1, min_retry_interval_millis: 1_000 };
    const done = runTasks<Task, string>({
      timer,
      tasks: [task('each', [], { for_each_task: { inputs: '{{job.parameters.tables}}', concurrency: 2, task: nested } }), task('after', ['each'], { run_if: 'ALL_DONE' })],
      references: { job: { parameters: { env: 'dev', tables: JSON.stringify([{ table: 'a' }, { table: 'b' }, { table: 'c' }]) } } },
      execute: (t, attempt) => {
        if (t.task_key === 'after') return Promise.resolve('after ran');
        const params = (t['notebook_task'] as { base_parameters: Record<string, string> }).base_parameters;
        const key = `${t.task_key}:${params['table']}:${params['env']}#${attempt}`;
        started.push(key);
        return new Promise((resolve, reject) => open.set(key, { resolve, reject }));
      },
      onIteration: (e) => iterations.push(e),
      onStep: (step, outcome) => {
        if (step.kind === 'end' && step.key === 'each') ended = outcome;
      },
    });
    await settle();
    // The iteration is the nested task (its own key), its parameters resolved; two at once.
    expect(started).toEqual(['load:a:dev#0', 'load:b:dev#0']);
    open.get('load:a:dev#0')!.reject(new Error('a broke'));
    await settle();
    // a waits for its retry; c takes the free slot.
    expect(started).toEqual(['load:a:dev#0', 'load:b:dev#0', 'load:c:dev#0']);
    expect(iterations.at(-1)!.stats).toMatchObject({ total_iterations: 3, scheduled_iterations: 3, active_iterations: 3, completed_iterations: 0 });
    open.get('load:b:dev#0')!.resolve('ok');
    await timer.advance(1_000);
    expect(started.at(-1)).toBe('load:a:dev#1');
    open.get('load:a:dev#1')!.reject(new Error('a broke'));
    open.get('load:c:dev#0')!.resolve('ok');
    const results = await done;
    expect(Object.fromEntries(results)).toEqual({ each: 'FAILED', after: 'SUCCESS' });
    expect(ended).toMatchObject({ ok: false, control: { kind: 'for_each', stats: { total_iterations: 3, completed_iterations: 3, succeeded_iterations: 2, failed_iterations: 1, active_iterations: 0, errors: [{ message: 'a broke', count: 1 }] } } });
    expect((ended as { error: Error }).error.message).toBe('1 of 3 iterations of load did not succeed (a broke).');
    expect(iterations.filter((e) => e.step.kind === 'end').map((e) => `${e.index}:${(e.step as { result: string }).result}`)).toEqual(['0:FAILED', '1:SUCCESS', '0:FAILED', '2:SUCCESS']);
  });

  it('fails a for-each whose inputs are not a JSON array, and succeeds on an empty one', async () => {
    const outcomes = new Map<string, AttemptOutcome<string> | undefined>();
    const results = await runTasks<Task, string>({
      tasks: [task('bad', [], { for_each_task: { inputs: '{"a":1}', task: { task_key: 'n' } } }), task('empty', [], { for_each_task: { inputs: '[]', task: { task_key: 'n' } } })],
      execute: async () => 'ran',
      onStep: (step, outcome) => {
        if (step.kind === 'end') outcomes.set(step.key, outcome);
      },
    });
    expect(Object.fromEntries(results)).toEqual({ bad: 'FAILED', empty: 'SUCCESS' });
    expect(String((outcomes.get('bad') as { error: Error }).error.message)).toContain('for_each_task.inputs must be a JSON array');
  });

  it("runs a run-job task through the caller's runJob and ends as the child run did", async () => {
    const requests: unknown[] = [];
    const outcomes = new Map<string, AttemptOutcome<string> | undefined>();
    const results = await runTasks<Task, string>({
      tasks: [
        task('ok', [], { run_job_task: { job_id: '11', job_parameters: { day: '{{job.parameters.day}}' } } }),
        task('bad', [], { run_job_task: { job_id: '12' } }),
        task('after_bad', ['bad']),
      ],
      references: { job: { parameters: { day: '2026-12-07' } } },
      execute: async () => 'ran',
      runJob: async (request) => {
        requests.push({ job: request.jobId, params: request.jobParameters });
        request.started?.(`child-${request.jobId}`);
        return request.jobId === '11' ? { run_id: 'child-11', result: 'SUCCESS' } : { run_id: 'child-12', result: 'FAILED', message: 'Task x failed' };
      },
      onStep: (step, outcome) => {
        if (step.kind === 'end') outcomes.set(step.key, outcome);
      },
    });
    expect(requests).toEqual([{ job: '11', params: { day: '2026-12-07' } }, { job: '12', params: undefined }]);
    expect(Object.fromEntries(results)).toEqual({ ok: 'SUCCESS', bad: 'FAILED', after_bad: 'UPSTREAM_FAILED' });
    expect(outcomes.get('ok')).toMatchObject({ ok: true, control: { kind: 'run_job', job_id: '11', run_id: 'child-11', result: 'SUCCESS' } });
    expect((outcomes.get('bad') as { error: Error }).error.message).toBe('The run child-12 of job 12 ended FAILED: Task x failed.');
  });

  it('fails a run-job task when the runner cannot start jobs', async () => {
    const results = await runTasks<Task, string>({ tasks: [task('child', [], { run_job_task: { job_id: '1' } })], execute: async () => 'ran' });
    expect(results.get('child')).toBe('FAILED');
  });
});

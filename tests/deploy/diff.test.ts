import { describe, expect, it } from 'vitest';
import { deepEqual, diffFull, diffRemote, markRecreate } from '../../src/deploy/diff.ts';
import { FIELD_RULES, pathMatches } from '../../src/deploy/fields.ts';

const jobs = FIELD_RULES.jobs;

describe('diffFull', () => {
  it('compares tasks by task_key, so reordering is not a change', () => {
    const a = { tasks: [{ task_key: 'a', timeout_seconds: 1 }, { task_key: 'b' }] };
    const b = { tasks: [{ task_key: 'b' }, { task_key: 'a', timeout_seconds: 1 }] };
    expect(diffFull(a, b, jobs)).toEqual([]);
  });

  it('names changed, added and removed fields by path', () => {
    const before = { name: 'x', tasks: [{ task_key: 'a', timeout_seconds: 1, depends_on: [{ task_key: 'z' }] }, { task_key: 'gone' }], description: 'old' };
    const after = { name: 'y', tasks: [{ task_key: 'a', timeout_seconds: 2, depends_on: [{ task_key: 'z' }] }, { task_key: 'new' }] };
    expect(diffFull(before, after, jobs)).toEqual([
      { path: 'description', before: 'old', source: 'local' },
      { path: 'name', before: 'x', after: 'y', source: 'local' },
      { path: 'tasks[a].timeout_seconds', before: 1, after: 2, source: 'local' },
      { path: 'tasks[gone]', before: { task_key: 'gone' }, source: 'local' },
      { path: 'tasks[new]', after: { task_key: 'new' }, source: 'local' },
    ]);
  });
});

describe('diffRemote', () => {
  it('ignores fields the server adds and fields the rules ignore', () => {
    const wanted = { name: 'x', tasks: [{ task_key: 'a', notebook_task: { notebook_path: '/p', source: 'WORKSPACE' } }] };
    const remote = { name: 'x', format: 'MULTI_TASK', run_as: { user_name: 'u' }, tasks: [{ task_key: 'a', run_if: 'ALL_SUCCESS', notebook_task: { notebook_path: '/p' } }] };
    expect(diffRemote(wanted, remote, jobs)).toEqual([]);
  });

  it('reports edits made in the workspace, and tasks only the workspace has', () => {
    const wanted = { name: 'x', tasks: [{ task_key: 'a', timeout_seconds: 5 }] };
    const remote = { name: 'edited', tasks: [{ task_key: 'a', timeout_seconds: 5 }, { task_key: 'extra' }] };
    expect(diffRemote(wanted, remote, jobs)).toEqual([
      { path: 'name', before: 'edited', after: 'x', source: 'remote' },
      { path: 'tasks[extra]', before: { task_key: 'extra' }, source: 'remote' },
    ]);
  });

  it('treats an empty wanted value and a missing remote one as equal, and bigint ids as their text', () => {
    expect(diffRemote({ tags: {}, email_notifications: { on_failure: [] } }, {}, jobs)).toEqual([]);
    expect(deepEqual(9007199254740993n, 9007199254740993n)).toBe(true);
    expect(diffRemote({ job_id: 12 }, { job_id: 12n }, jobs)).toEqual([]);
    expect(diffRemote({ job_id: 12 }, { job_id: 13n }, jobs)).toHaveLength(1);
  });
});

describe('recreate rules', () => {
  it('marks recreate-only fields from the kind table', () => {
    const changes = markRecreate(
      [
        { path: 'backend_azure_keyvault.dns_name', before: 'a', after: 'b', source: 'local' },
        { path: 'scope', before: 'a', after: 'b', source: 'local' },
      ],
      FIELD_RULES.secret_scopes,
    );
    expect(changes.every((c) => c.recreate)).toBe(true);
    expect(markRecreate([{ path: 'name', source: 'local' }], FIELD_RULES.pipelines)[0]?.recreate).toBeUndefined();
    expect(markRecreate([{ path: 'storage', source: 'local' }], FIELD_RULES.pipelines)[0]?.recreate).toBe(true);
  });

  it('matches paths with keys against [*] patterns and prefixes', () => {
    expect(pathMatches('tasks[x].notebook_task.source', 'tasks[*].notebook_task.source')).toBe(true);
    expect(pathMatches('tasks[x].notebook_task.source_path', 'tasks[*].notebook_task.source')).toBe(false);
    expect(pathMatches('gateway_definition.connection_id', 'gateway_definition')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { selectOnly } from '../../src/model/only-tasks.ts';

// a → b → c, and d after a: `+c` is a, b, c; `a+` is a, b, c, d; a plain key is itself alone.
const tasks = [
  { task_key: 'a' },
  { task_key: 'b', depends_on: [{ task_key: 'a' }] },
  { task_key: 'c', depends_on: [{ task_key: 'b' }] },
  { task_key: 'd', depends_on: [{ task_key: 'a' }] },
];

describe('run-now only', () => {
  it('selects a task, its upstream (+key) or its downstream (key+) tasks', () => {
    expect([...selectOnly(tasks, ['b'])]).toEqual(['b']);
    expect([...selectOnly(tasks, ['+c'])].sort()).toEqual(['a', 'b', 'c']);
    expect([...selectOnly(tasks, ['a+'])].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect([...selectOnly(tasks, ['b', '+c'])].sort()).toEqual(['a', 'b', 'c']);
    expect([...selectOnly(tasks, ['+b+'])].sort()).toEqual(['a', 'b', 'c']);
  });
});

// Which tasks of a job a run-now `only` list selects: a task key, `+key` (the task and every task it depends on,
// transitively) or `key+` (the task and every task that depends on it), as the Jobs API reads the list. Used by
// the local target's runner and by the fake workspace, so both pick the same tasks.

interface TaskLike {
  task_key?: unknown;
  depends_on?: unknown;
}

function keyOf(task: TaskLike): string {
  return String(task.task_key ?? '');
}

function depsOf(task: TaskLike): string[] {
  return Array.isArray(task.depends_on) ? task.depends_on.map((d) => String((d as { task_key?: unknown }).task_key ?? '')) : [];
}

/** The plain task key an `only` item names. */
export function onlyItemKey(item: string): string {
  return item.replace(/^\+|\+$/g, '');
}

export function selectOnly(tasks: readonly TaskLike[], only: readonly string[]): Set<string> {
  const upstream = new Map(tasks.map((t) => [keyOf(t), depsOf(t)]));
  const downstream = new Map<string, string[]>();
  for (const [key, deps] of upstream) for (const dep of deps) downstream.set(dep, [...(downstream.get(dep) ?? []), key]);
  const chosen = new Set<string>();
  const walk = (key: string, edges: Map<string, string[]>, seen: Set<string>) => {
    for (const next of edges.get(key) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      chosen.add(next);
      walk(next, edges, seen);
    }
  };
  for (const item of only) {
    const key = onlyItemKey(item);
    chosen.add(key);
    if (item.startsWith('+')) walk(key, upstream, new Set());
    if (item.endsWith('+') && item.length > 1) walk(key, downstream, new Set());
  }
  return chosen;
}

// Task checks per job: keys Databricks accepts and that are unique, exactly one task type, dependencies that
// exist and form no cycle (an outcome dependency naming a condition task), and job_cluster_key / environment_key
// defined by the job.
import type { BundleModel, JobSettings, TaskSettings } from '../model/types.ts';
import type { Reporter } from './locate.ts';
import { taskKeyProblem } from './names.ts';
import { jobTaskTypes } from './schema-fields.ts';
import { findCycles } from './task-graph.ts';

function keysOf(list: unknown, field: string): Set<string> {
  const keys = new Set<string>();
  if (Array.isArray(list)) {
    for (const item of list) {
      const key = (item as Record<string, unknown> | null)?.[field];
      if (typeof key === 'string') keys.add(key);
    }
  }
  return keys;
}

function checkKeys(jobKey: string, tasks: TaskSettings[], base: string, out: Reporter): void {
  const byKey = new Map<string, number[]>();
  tasks.forEach((task, i) => {
    const problem = taskKeyProblem(task.task_key);
    if (problem) out.report('error', `${base}.tasks[${i}].task_key`, `Task key "${task.task_key}" in job "${jobKey}" ${problem}.`);
    byKey.set(task.task_key, [...(byKey.get(task.task_key) ?? []), i]);
  });
  for (const [key, indexes] of byKey) {
    if (indexes.length < 2) continue;
    for (const i of indexes) {
      const others = indexes.filter((j) => j !== i).map((j) => `tasks[${j}] at ${out.where(`${base}.tasks[${j}]`)}`);
      out.report('error', `${base}.tasks[${i}].task_key`, `Duplicate task key "${key}" in job "${jobKey}": also ${others.join(', ')}.`);
    }
  }
}

function checkTaskType(jobKey: string, task: TaskSettings, path: string, out: Reporter): void {
  const types = jobTaskTypes().filter((t) => task[t] !== undefined);
  if (types.length === 0) {
    out.report('error', path, `Task "${task.task_key}" of job "${jobKey}" has no task type (one of ${jobTaskTypes().join(', ')}).`);
  } else if (types.length > 1) {
    out.report('error', path, `Task "${task.task_key}" of job "${jobKey}" has ${types.length} task types (${types.join(', ')}); a task has exactly one.`);
  }
}

function checkComputeKeys(jobKey: string, job: JobSettings, task: TaskSettings, path: string, out: Reporter): void {
  const refs = [
    { field: 'job_cluster_key', defined: keysOf(job['job_clusters'], 'job_cluster_key'), list: 'job_clusters' },
    { field: 'environment_key', defined: keysOf(job['environments'], 'environment_key'), list: 'environments' },
  ];
  for (const { field, defined, list } of refs) {
    const value = task[field];
    if (typeof value !== 'string' || defined.has(value)) continue;
    const known = defined.size > 0 ? `defined: ${[...defined].join(', ')}` : `the job defines no ${list}`;
    out.report('error', `${path}.${field}`, `Task "${task.task_key}" uses ${field} "${value}", which job "${jobKey}" does not define in ${list} (${known}).`);
  }
}

/** An outcome dependency names a condition task and one of its outcomes, as the Jobs API requires. */
function checkOutcome(task: TaskSettings, dep: { task_key: string; outcome?: unknown }, tasks: TaskSettings[], path: string, out: Reporter): void {
  if (dep.outcome === undefined) return;
  const target = tasks.find((t) => t.task_key === dep.task_key);
  if (target && target['condition_task'] === undefined) {
    out.report('error', `${path}.outcome`, `Task "${task.task_key}" depends on outcome "${String(dep.outcome)}" of "${dep.task_key}", which is not a condition task (only condition tasks have outcomes).`);
  } else if (dep.outcome !== 'true' && dep.outcome !== 'false') {
    out.report('error', `${path}.outcome`, `Task "${task.task_key}" depends on outcome ${JSON.stringify(dep.outcome)} of condition task "${dep.task_key}"; an outcome is "true" or "false".`);
  }
}

/** Dependency edges by task key; unknown targets are reported here and left out of the cycle search. */
function checkDependencies(jobKey: string, tasks: TaskSettings[], base: string, out: Reporter): Map<string, string[]> {
  const keys = new Set(tasks.map((t) => t.task_key));
  const edges = new Map<string, string[]>();
  tasks.forEach((task, i) => {
    (task.depends_on ?? []).forEach((dep, d) => {
      if (!keys.has(dep.task_key)) {
        out.report('error', `${base}.tasks[${i}].depends_on[${d}]`, `Task "${task.task_key}" depends on unknown task "${dep.task_key}" (job "${jobKey}" has: ${[...keys].join(', ')}).`);
        return;
      }
      edges.set(task.task_key, [...(edges.get(task.task_key) ?? []), dep.task_key]);
      checkOutcome(task, dep, tasks, `${base}.tasks[${i}].depends_on[${d}]`, out);
    });
  });
  return edges;
}

function checkCycles(jobKey: string, tasks: TaskSettings[], edges: Map<string, string[]>, base: string, out: Reporter): void {
  const keys = [...new Set(tasks.map((t) => t.task_key))];
  for (const cycle of findCycles(keys, edges)) {
    const [first, second] = cycle as [string, string];
    const i = tasks.findIndex((t) => t.task_key === first);
    const d = (tasks[i]!.depends_on ?? []).findIndex((dep) => dep.task_key === second);
    out.report('error', `${base}.tasks[${i}].depends_on[${d}]`, `Tasks of job "${jobKey}" depend on each other in a cycle: ${cycle.join(' → ')}.`);
  }
}

export function checkTasks(model: BundleModel, out: Reporter): void {
  for (const [jobKey, { settings }] of Object.entries(model.resources.jobs)) {
    const base = `resources.jobs.${jobKey}`;
    const tasks = settings.tasks ?? [];
    checkKeys(jobKey, tasks, base, out);
    tasks.forEach((task, i) => {
      checkTaskType(jobKey, task, `${base}.tasks[${i}]`, out);
      checkComputeKeys(jobKey, settings, task, `${base}.tasks[${i}]`, out);
    });
    checkCycles(jobKey, tasks, checkDependencies(jobKey, tasks, base, out), base, out);
  }
}

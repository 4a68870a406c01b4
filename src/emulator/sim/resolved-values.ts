// What runs/get shows as a task run's `resolved_values` (with include_resolved_values=true): its parameters as the
// task ran them, dynamic value references resolved ({{job.parameters.x}}, {{tasks.<key>.values.<name>}}, ...).
// This is where the Jobs API shows task values: in what the tasks that read them resolved.
import { isJsonObject, type JsonObject } from '../http/json.ts';

/** A notebook task's base_parameters as it ran (the task given here has its references resolved). */
export function resolvedNotebookValues(task: JsonObject): JsonObject | undefined {
  const notebook = task['notebook_task'];
  if (!isJsonObject(notebook) || !isJsonObject(notebook['base_parameters'])) return undefined;
  return { notebook_task: { base_parameters: Object.fromEntries(Object.entries(notebook['base_parameters']).map(([k, v]) => [k, String(v)])) } };
}

/** A condition task's operands as it compared them. */
export function resolvedConditionValues(left: string, right: string): JsonObject {
  return { condition_task: { left, right } };
}

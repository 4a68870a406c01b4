// Human-readable plan text for the deploy.plan event's message (the event's data carries the same plan).
import { planSummary } from './plan.ts';
import type { DeployPlan, FieldChange, PlannedAction } from './types.ts';

const SYMBOL: Record<PlannedAction['action'], string> = { create: '+', update: '~', replace: '-/+', delete: '-', noop: '=' };

function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function changeLine(c: FieldChange): string {
  const where = c.source === 'remote' ? ' (changed in the workspace)' : '';
  const forces = c.recreate ? ' (forces replacement)' : '';
  if (c.before === undefined && c.after === undefined) return `      ${c.path} changed${where}${forces}`;
  return `      ${c.path}: ${show(c.before)} → ${show(c.after)}${where}${forces}`;
}

function actionLine(a: PlannedAction): string {
  // Adoptions and binds are shown as such; the symbol still says what happens to the object.
  const verb = a.bound ? 'bind' : a.adopted ? 'adopt' : a.conflict ? 'blocked' : a.action;
  const reason = a.reason ? ` — ${a.reason}` : '';
  const fix = a.conflict ? `\n      to manage it from this bundle: ${a.conflict.fix} (or rename this resource)` : '';
  return `  ${SYMBOL[a.action].padEnd(3)} ${verb.padEnd(7)} ${a.address}${reason}${fix}`;
}

export function formatPlan(plan: DeployPlan): string {
  const lines = [`Plan for bundle ${plan.bundle}, target ${plan.target} (${plan.root_path}):`];
  const shown = plan.actions.filter((a) => a.action !== 'noop' || a.adopted || a.bound);
  for (const a of shown) {
    lines.push(actionLine(a));
    for (const c of a.changes) lines.push(changeLine(c));
  }
  if (shown.length === 0) lines.push('  no changes');
  for (const item of plan.external ?? []) lines.push(`  !   external ${item.path} — ${item.reason}`);
  const s = planSummary(plan);
  lines.push(`${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete, ${s.noop} unchanged.`);
  const blocked = plan.actions.filter((a) => a.conflict).length;
  if (blocked > 0) lines.push(`${blocked} blocked by objects that are not this bundle's: deploy stops before any change until they are bound or renamed.`);
  return lines.join('\n');
}

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
  const verb = a.action === 'noop' && a.adopted ? 'adopt' : a.action;
  const reason = a.reason ? ` — ${a.reason}` : '';
  return `  ${SYMBOL[a.action].padEnd(3)} ${verb.padEnd(7)} ${a.address}${reason}`;
}

export function formatPlan(plan: DeployPlan): string {
  const lines = [`Plan for bundle ${plan.bundle}, target ${plan.target} (${plan.root_path}):`];
  const shown = plan.actions.filter((a) => a.action !== 'noop' || a.adopted);
  for (const a of shown) {
    lines.push(actionLine(a));
    for (const c of a.changes) lines.push(changeLine(c));
  }
  if (shown.length === 0) lines.push('  no changes');
  for (const item of plan.external ?? []) lines.push(`  !   external ${item.path} — ${item.reason}`);
  const s = planSummary(plan);
  lines.push(`${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete, ${s.noop} unchanged.`);
  return lines.join('\n');
}

// The If/else condition task (condition_task): two operands and an operator, evaluated as the Jobs service does
// (docs.databricks.com/jobs/if-else): EQUAL_TO and NOT_EQUAL compare the operands as strings ("12.0" == "12" is
// false); the ordering operators compare them as numbers ("12.0" >= "12" is true) and fail when an operand is not one.
import { type ReferenceContext, resolveReferences } from './dynamic-values.ts';

export const CONDITION_OPS = ['EQUAL_TO', 'NOT_EQUAL', 'GREATER_THAN', 'GREATER_THAN_OR_EQUAL', 'LESS_THAN', 'LESS_THAN_OR_EQUAL'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export interface ConditionEvaluation {
  outcome: 'true' | 'false';
  /** The operands after their references were resolved. */
  left: string;
  right: string;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function asNumber(operand: string, side: string, op: string): number {
  const trimmed = operand.trim();
  if (!NUMBER.test(trimmed)) throw new Error(`The condition's ${side} operand "${operand}" is not a number, which ${op} compares numerically.`);
  return Number(trimmed);
}

export function evaluateCondition(condition: { op?: unknown; left?: unknown; right?: unknown }, ctx: ReferenceContext): ConditionEvaluation {
  const op = String(condition.op ?? '');
  if (!(CONDITION_OPS as readonly string[]).includes(op)) throw new Error(`condition_task.op must be one of ${CONDITION_OPS.join(', ')}, got "${op}".`);
  const left = resolveReferences(String(condition.left ?? ''), ctx, true);
  const right = resolveReferences(String(condition.right ?? ''), ctx, true);
  let met: boolean;
  if (op === 'EQUAL_TO') met = left === right;
  else if (op === 'NOT_EQUAL') met = left !== right;
  else {
    const [l, r] = [asNumber(left, 'left', op), asNumber(right, 'right', op)];
    met = op === 'GREATER_THAN' ? l > r : op === 'GREATER_THAN_OR_EQUAL' ? l >= r : op === 'LESS_THAN' ? l < r : l <= r;
  }
  return { outcome: met ? 'true' : 'false', left, right };
}

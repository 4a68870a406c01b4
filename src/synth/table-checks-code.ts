// What synth needs from a TableModel to generate working code, as problems validate can turn into diagnostics.
import type { TableModel } from '../model/types.ts';
import { columnNameProblem, expectationNameProblem, tableNameProblem } from '../validate/names.ts';

export interface TableProblem {
  severity: 'error' | 'warning';
  /** Field of the table the problem is about, e.g. `dedupe.keys[0]`. */
  field: string;
  message: string;
}

export function tableModelProblems(t: TableModel): TableProblem[] {
  const out: TableProblem[] = [];
  const error = (field: string, message: string) => out.push({ severity: 'error', field, message });
  const warn = (field: string, message: string) => out.push({ severity: 'warning', field, message });

  const name = tableNameProblem(t.name);
  if (name) error('name', `Table name "${t.name}" ${name}.`);
  if (t.quarantine_table !== undefined) {
    const q = tableNameProblem(t.quarantine_table);
    if (q) error('quarantine_table', `Quarantine table name "${t.quarantine_table}" ${q}.`);
    if (t.quarantine_table === t.name) error('quarantine_table', 'The quarantine table must differ from the table.');
  }

  if (t.kind === 'streaming_table') {
    if (!t.source) error('source', `Streaming table ${t.name} needs a source (files or another table).`);
    if (t.query) warn('query', `Streaming table ${t.name} reads its source; its query is ignored.`);
  } else {
    if (!t.query?.trim()) error('query', `${t.kind === 'view' ? 'View' : 'Materialized view'} ${t.name} needs a query.`);
    if (t.source) warn('source', `${t.name} is computed from its query; its source is ignored.`);
    if (t.dedupe) error('dedupe', `Only streaming tables can be deduplicated; ${t.name} is a ${t.kind.replaceAll('_', ' ')}.`);
    if (t.columns?.length) warn('columns', `${t.name} takes its columns from its query; declared columns are not enforced.`);
  }
  if (t.kind === 'view' && t.expectations.length > 0) warn('expectations', `Expectations on view ${t.name} are not checked.`);
  if (t.kind === 'view' && t.where !== undefined) warn('where', `View ${t.name} is its query; put the filter in the query (\`where\` is not applied to views).`);
  if (t.kind === 'view' && t.quarantine_table !== undefined) warn('quarantine_table', `View ${t.name} checks no rules, so nothing reaches ${t.quarantine_table}.`);

  const columns = new Set<string>();
  (t.columns ?? []).forEach((c, i) => {
    const p = columnNameProblem(c.name);
    if (p) error(`columns[${i}].name`, `Column "${c.name}" ${p}.`);
    if (columns.has(c.name.toLowerCase())) error(`columns[${i}].name`, `Column "${c.name}" is declared twice.`);
    columns.add(c.name.toLowerCase());
  });

  const rules = new Set<string>();
  t.expectations.forEach((e, i) => {
    const p = expectationNameProblem(e.name);
    if (p) error(`expectations[${i}].name`, `Expectation name "${e.name}" ${p}.`);
    if (rules.has(e.name)) error(`expectations[${i}].name`, `Expectation "${e.name}" is declared twice on ${t.name}.`);
    rules.add(e.name);
    if (!e.condition.trim()) error(`expectations[${i}].condition`, `Expectation "${e.name}" has an empty condition.`);
  });

  if (t.dedupe) {
    if (t.dedupe.keys.length === 0) error('dedupe.keys', 'Deduplication needs at least one key column.');
    const declared = (field: string, col: string) => {
      if (columns.size > 0 && !columns.has(col.toLowerCase())) error(field, `"${col}" is not a declared column of ${t.name}.`);
    };
    t.dedupe.keys.forEach((k, i) => declared(`dedupe.keys[${i}]`, k));
    declared('dedupe.sequence_by', t.dedupe.sequence_by);
  }
  if (t.quarantine_table && columns.size === 0 && !t.expectations.some((e) => e.action === 'drop')) {
    warn('quarantine_table', `Nothing can reach ${t.quarantine_table}: ${t.name} declares no typed columns and no drop expectations.`);
  }
  return out;
}

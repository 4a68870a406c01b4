// Dataset queries are written with `${catalog}` and `${schema}` placeholders; each target fills them in. A
// dashboard that sets `dataset_catalog` / `dataset_schema` names its tables relative to those instead: there the
// placeholder is dropped with its dot, so the deployed file holds no catalog or schema of one target.
import { UserError } from '../errors/index.ts';
import { checkPlainIdentifier } from '../sql/identifiers.ts';

export interface DatasetVars {
  /** Needed by queries that use `${catalog}`, unless `relative.catalog`. */
  catalog?: string;
  /** Needed only by queries that use `${schema}`, unless `relative.schema`. */
  schema?: string;
  /** The dashboard's dataset_catalog / dataset_schema apply: `${catalog}.` / `${schema}.` are left out. */
  relative?: { catalog?: boolean; schema?: boolean };
}

/** The query with its placeholders filled; an unknown placeholder is an error, not silently left in the SQL. */
export function datasetSql(query: string, vars: DatasetVars): string {
  return query.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}(\.)?/g, (_match, name: string, dot: string | undefined) => {
    if (name === 'catalog' || name === 'schema') {
      if (dot !== undefined && vars.relative?.[name]) return '';
      const value = vars[name];
      if (value !== undefined) return checkPlainIdentifier(value, name === 'catalog' ? 'Catalog' : 'Schema') + (dot ?? '');
    }
    throw new UserError(
      `Dashboard dataset query uses \${${name}}, which has no value`,
      'Only ${catalog} and ${schema} are substituted in dashboard queries.',
    );
  });
}

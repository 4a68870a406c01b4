// Dataset queries are written with `${catalog}` and `${schema}` placeholders; each target fills them in.
import { UserError } from '../errors/index.ts';
import { checkPlainIdentifier } from '../sql/identifiers.ts';

export interface DatasetVars {
  catalog: string;
  /** Needed only by queries that use `${schema}`. */
  schema?: string;
}

/** The query with its placeholders filled; an unknown placeholder is an error, not silently left in the SQL. */
export function datasetSql(query: string, vars: DatasetVars): string {
  return query.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => {
    if (name === 'catalog') return checkPlainIdentifier(vars.catalog, 'Catalog');
    if (name === 'schema' && vars.schema !== undefined) return checkPlainIdentifier(vars.schema, 'Schema');
    throw new UserError(
      `Dashboard dataset query uses \${${name}}, which has no value`,
      'Only ${catalog} and ${schema} are substituted in dashboard queries.',
    );
  });
}

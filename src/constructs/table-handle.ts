// A table named by value: `silver.table('orders')` for a table of the bundle's catalog, or
// `app.externalTable('samples.nyctaxi.trips')` for one the bundle reads but does not build. A handle stands for
// the table in a definition's `name`, `source.table` and `quarantine_table`, and in SQL text, where it renders
// as the runtime writes it: `${catalog}.silver.orders`, the catalog filled in per target.
import { CATALOG_PLACEHOLDER } from './refs.ts';

export class TableHandle {
  /**
   * @param schema the schema, in the bundle's catalog unless `catalog` is given
   * @param catalog set only for an external table named with its catalog
   */
  constructor(
    readonly schema: string,
    readonly table: string,
    readonly catalog?: string,
  ) {}

  /** `<schema>.<table>`: how table definitions name a table of the bundle's catalog. */
  get name(): string {
    return `${this.schema}.${this.table}`;
  }

  /** The table in SQL text: `${catalog}.<schema>.<table>`, or `<catalog>.<schema>.<table>` for another catalog. */
  toString(): string {
    return `${this.catalog ?? CATALOG_PLACEHOLDER}.${this.schema}.${this.table}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** A table's name as the model writes it, from a handle or as written. */
export function tableNameOf(table: string | TableHandle): string {
  return table instanceof TableHandle ? table.name : table;
}

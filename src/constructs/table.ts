import type { SourceLocation, TableModel } from '../model/types.ts';
import { callerLocation } from './construct.ts';

/** A table as the user writes it: expectations default to none. */
export type TableDefinition = Omit<TableModel, 'expectations' | 'location'> & {
  expectations?: TableModel['expectations'];
};

export function tableDefinition(def: TableDefinition, location?: SourceLocation): TableModel {
  const model: TableModel = { ...def, expectations: def.expectations ?? [] };
  const loc = location ?? callerLocation();
  if (loc) model.location = loc;
  return model;
}

// The local DuckDB engine: runs a pipeline's TableModel[] with Databricks semantics.
export { openLocalDatabase } from './database.ts';
export type { LocalDatabase } from './database.ts';
export { runTables, timestampLiteral } from './run-tables.ts';
export type { RunTablesOptions, UpdateResult } from './run-tables.ts';
export { runContinuous, hasNewFiles } from './continuous.ts';
export type { ContinuousOptions } from './continuous.ts';
export type { TableUpdateResult, TableCounts } from './accounting.ts';
export { readQualityMetrics, emitQualityMetrics } from './event-log.ts';
export type { QualityQuery } from './event-log.ts';
export { volumeToLocalPath, resolveLocation } from './volumes.ts';
export type { LandingRoot } from './volumes.ts';
export { parseTableName, substituteCatalog, displayName } from './names.ts';
export type { TableRef } from './names.ts';
export { SYSTEM_SCHEMA } from './system-tables.ts';
export { COMMIT_VERSION } from './history.ts';

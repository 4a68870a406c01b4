export { simulate, resolveSimulateOptions, DATASET_DIRS } from './simulate.ts';
export type { SimulateOptions, SimulateContext } from './simulate.ts';
export type { SimulationManifest, SimulatedFile, SimulatedDataset, ResolvedSimulateOptions } from './manifest.ts';
export { MANIFEST_PATH } from './manifest.ts';
export { SALES_DIRTY_KINDS, EXAMPLE_LIMIT } from './sales.ts';
export type { SalesDirtyKind, SalesTally, SalesDataset } from './sales.ts';
export { SALES_COLUMNS, PRODUCT_COLUMNS, STORE_COLUMNS, PROMOTION_COLUMNS, DRIFT_COLUMN } from './schema.ts';
export { Prng } from './prng.ts';
export { runSalesSimulator } from './run.ts';

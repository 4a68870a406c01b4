// The public API for bundle definitions.
export { Bundle, type BundleProps, type TargetProps, type VariableProps } from './constructs/bundle.ts';
export { Catalog, type CatalogProps } from './constructs/catalog.ts';
export { Construct } from './constructs/construct.ts';
export type { Grant } from './constructs/grants.ts';
export { Dashboard, type DashboardProps } from './constructs/dashboard.ts';
export { Job, TaskHandle, type Dependency, type JobProps } from './constructs/job.ts';
export { Notebook, type NotebookProps } from './constructs/notebook.ts';
export { Pipeline, type PipelineProps } from './constructs/pipeline.ts';
export { SecretHandle, type VarRef } from './constructs/refs.ts';
export { Schema, type SchemaProps } from './constructs/schema.ts';
export { SecretScope, type SecretScopeProps } from './constructs/secret-scope.ts';
export type { TableDefinition } from './constructs/table.ts';
export { Volume, type VolumeProps } from './constructs/volume.ts';
export { resolve } from './model/resolve.ts';
export type * from './model/types.ts';

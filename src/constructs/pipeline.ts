import type { PipelineModel, TableModel } from '../model/types.ts';
import type { ResourcesPipeline } from '../schema/bundle-types.ts';
import { Construct } from './construct.ts';
import type { ModelContext, ModelContributor } from './model-contributor.ts';
import { resourceRef, type ResourceRef } from './resource.ts';
import { tableDefinition, type TableDefinition } from './table.ts';
import { onTarget, reportUnknownTargets, TargetOverrides, type DeepPartial, type OverrideOptions, type ResourceOptions } from './targets.ts';

/**
 * Pipeline settings with Databricks' own field names. With `tables`, the pipeline's SQL is generated from
 * them (and runs locally); `libraries` lists sources that exist already (paths relative to the bundle root).
 */
export type PipelineProps = Omit<ResourcesPipeline, 'name'> & {
  /** Display name; defaults to the id for a pipeline built from tables. */
  name?: string;
  tables?: TableDefinition[];
};

/** A Lakeflow Declarative (DLT) pipeline whose tables are data: synth emits its SQL, the local engine runs it. */
export class Pipeline extends Construct implements ModelContributor {
  readonly props: PipelineProps;
  readonly options: ResourceOptions;
  readonly overrides = new TargetOverrides();
  private readonly tableModels: TableModel[];

  constructor(scope: Construct, id: string, props: PipelineProps, options: ResourceOptions = {}) {
    super(scope, id);
    this.props = props;
    this.options = options;
    this.tableModels = (props.tables ?? []).map((t) => tableDefinition(t, this.location));
  }

  /** `${resources.pipelines.<key>.id}`: the id the pipeline gets when deployed. */
  get idRef(): ResourceRef {
    return this.ref('id');
  }

  ref(field: string): ResourceRef {
    return resourceRef('pipelines', this.id, field);
  }

  get sourcePath(): string {
    return `src/pipelines/${this.id}.sql`;
  }

  /** Only sources that exist already: no generated SQL (and no local run of this pipeline). */
  private get librariesOnly(): boolean {
    return this.props.libraries !== undefined && this.tableModels.length === 0;
  }

  table(definition: TableDefinition): this {
    this.tableModels.push(tableDefinition(definition));
    return this;
  }

  /** Settings this target adds or changes (merged as the Databricks CLI merges a target's resources). */
  forTarget(target: string, overrides: DeepPartial<ResourcesPipeline>, how: OverrideOptions = {}): this {
    this.overrides.add(target, overrides, how);
    return this;
  }

  onTarget(target: string): boolean {
    return onTarget(this.options, target);
  }

  toModel(target?: string): PipelineModel {
    const { tables: _tables, name, ...settings } = this.props;
    const named = name ?? (this.librariesOnly ? undefined : this.id);
    const base = { ...structuredClone(settings), ...(named !== undefined ? { name: named } : {}) } as PipelineModel['settings'];
    const model: PipelineModel = {
      settings: (target === undefined ? base : this.overrides.apply('pipelines', base, target)) as PipelineModel['settings'],
      tables: this.tableModels.map((t) => structuredClone(t)),
    };
    if (!this.librariesOnly) model.source_path = this.sourcePath;
    return model;
  }

  contributeTo(ctx: ModelContext): void {
    reportUnknownTargets(this.overrides, this.options, `resources.pipelines.${this.id}`, ctx);
    if (this.onTarget(ctx.target)) ctx.add('pipelines', this.id, this.toModel(ctx.target), this.location);
  }
}

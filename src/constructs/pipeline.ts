import type { PipelineModel, TableModel } from '../model/types.ts';
import type { ResourcesPipeline } from '../schema/bundle-types.ts';
import { Construct } from './construct.ts';
import { tableDefinition, type TableDefinition } from './table.ts';

/** Pipeline settings with Databricks' own field names; `libraries` are generated from the tables. */
export type PipelineProps = Omit<ResourcesPipeline, 'libraries' | 'name'> & {
  /** Display name; defaults to the id. */
  name?: string;
  tables?: TableDefinition[];
};

/** A Lakeflow Declarative (DLT) pipeline whose tables are data: synth emits its SQL, the local engine runs it. */
export class Pipeline extends Construct {
  readonly props: PipelineProps;
  private readonly tableModels: TableModel[];

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    this.props = props;
    this.tableModels = (props.tables ?? []).map((t) => tableDefinition(t, this.location));
  }

  /** `${resources.pipelines.<key>.id}`: the id the pipeline gets when deployed. */
  get idRef(): string {
    return `\${resources.pipelines.${this.id}.id}`;
  }

  get sourcePath(): string {
    return `src/pipelines/${this.id}.sql`;
  }

  table(definition: TableDefinition): this {
    this.tableModels.push(tableDefinition(definition));
    return this;
  }

  toModel(): PipelineModel {
    const { tables: _tables, name, ...settings } = this.props;
    return {
      settings: { ...structuredClone(settings), name: name ?? this.id } as PipelineModel['settings'],
      tables: this.tableModels.map((t) => structuredClone(t)),
      source_path: this.sourcePath,
    };
  }
}

import type { DashboardModel, DatasetModel, WidgetModel } from '../model/types.ts';
import type { ResourcesDashboard } from '../schema/bundle-types.ts';
import { Construct } from './construct.ts';
import type { ModelContext, ModelContributor } from './model-contributor.ts';
import { resourceRef, type ResourceRef } from './resource.ts';
import { onTarget, reportUnknownTargets, TargetOverrides, type DeepPartial, type OverrideOptions, type ResourceOptions } from './targets.ts';

/** A dashboard built from datasets (SQL) and widgets: synth writes its `.lvdash.json`; locally an HTML file. */
export type GeneratedDashboardProps = Omit<ResourcesDashboard, 'file_path' | 'serialized_dashboard' | 'display_name'> & {
  display_name: string;
  datasets: DatasetModel[];
  widgets: WidgetModel[];
};

/** A dashboard whose `.lvdash.json` exists already (e.g. exported from the workspace); the path is from the bundle root. */
export type FileDashboardProps = Omit<ResourcesDashboard, 'file_path'> & { file_path: string };

export type DashboardProps = GeneratedDashboardProps | FileDashboardProps;

function fromFile(props: DashboardProps): props is FileDashboardProps {
  return typeof (props as FileDashboardProps).file_path === 'string';
}

/** A Lakeview dashboard: generated from datasets and widgets, or an existing `.lvdash.json`. */
export class Dashboard extends Construct implements ModelContributor {
  readonly props: DashboardProps;
  readonly options: ResourceOptions;
  readonly overrides = new TargetOverrides();

  constructor(scope: Construct, id: string, props: DashboardProps, options: ResourceOptions = {}) {
    super(scope, id);
    this.props = props;
    this.options = options;
  }

  get idRef(): ResourceRef {
    return this.ref('id');
  }

  ref(field: string): ResourceRef {
    return resourceRef('dashboards', this.id, field);
  }

  /** Bundle-relative path of the dashboard's `.lvdash.json`. */
  get filePath(): string {
    return fromFile(this.props) ? this.props.file_path : `src/dashboards/${this.id}.lvdash.json`;
  }

  /** Settings this target adds or changes (merged as the Databricks CLI merges a target's resources). */
  forTarget(target: string, overrides: DeepPartial<ResourcesDashboard>, how: OverrideOptions = {}): this {
    this.overrides.add(target, overrides, how);
    return this;
  }

  onTarget(target: string): boolean {
    return onTarget(this.options, target);
  }

  toModel(target?: string): DashboardModel {
    const props = this.props;
    const apply = (settings: Record<string, unknown>) => (target === undefined ? settings : this.overrides.apply('dashboards', settings, target));
    if (fromFile(props)) {
      const { file_path: _path, ...settings } = props;
      return { settings: apply(structuredClone(settings)) as DashboardModel['settings'], datasets: [], widgets: [], file_path: this.filePath, from_file: true };
    }
    const { datasets, widgets, ...settings } = props;
    return {
      settings: apply(structuredClone(settings)) as DashboardModel['settings'],
      datasets: structuredClone(datasets),
      widgets: structuredClone(widgets),
      file_path: this.filePath,
    };
  }

  contributeTo(ctx: ModelContext): void {
    reportUnknownTargets(this.overrides, this.options, `resources.dashboards.${this.id}`, ctx);
    if (this.onTarget(ctx.target)) ctx.add('dashboards', this.id, this.toModel(ctx.target), this.location);
  }
}

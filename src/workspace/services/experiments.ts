// MLflow experiments (API 2.0). Request bodies follow the bundle schema's experiment (the reference API
// shapes do not cover this API). A deleted experiment keeps its id with lifecycle_stage "deleted".
import type { ResourcesMlflowExperiment } from '../../schema/bundle-types.ts';
import type { ServiceContext } from './endpoint.ts';

export type ExperimentTag = { key?: string; value?: string };
export type CreateExperiment = Pick<ResourcesMlflowExperiment, 'name' | 'artifact_location'> & { tags?: ExperimentTag[] };

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  /** `active` or `deleted`. */
  lifecycle_stage?: string;
  tags?: ExperimentTag[];
}

export class ExperimentsService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Not idempotent: a second create with the same name fails with RESOURCE_ALREADY_EXISTS. */
  create(body: CreateExperiment): Promise<{ experiment_id: string }> {
    return this.ctx.http.json({ method: 'POST', path: '/api/2.0/mlflow/experiments/create', body, operation: 'mlflow/experiments/create', idempotent: false });
  }

  async get(experimentId: string): Promise<Experiment> {
    const r = await this.ctx.http.json<{ experiment: Experiment }>({ method: 'GET', path: '/api/2.0/mlflow/experiments/get', query: { experiment_id: experimentId }, operation: 'mlflow/experiments/get' });
    return r.experiment;
  }

  async getByName(name: string): Promise<Experiment> {
    const r = await this.ctx.http.json<{ experiment: Experiment }>({ method: 'GET', path: '/api/2.0/mlflow/experiments/get-by-name', query: { experiment_name: name }, operation: 'mlflow/experiments/get-by-name' });
    return r.experiment;
  }

  /** Renames the experiment (the only setting that can change in place). */
  rename(experimentId: string, newName: string): Promise<Record<string, never>> {
    return this.ctx.http.json({ method: 'POST', path: '/api/2.0/mlflow/experiments/update', body: { experiment_id: experimentId, new_name: newName }, operation: 'mlflow/experiments/update', idempotent: true });
  }

  setTag(experimentId: string, key: string, value: string): Promise<Record<string, never>> {
    return this.ctx.http.json({ method: 'POST', path: '/api/2.0/mlflow/experiments/set-experiment-tag', body: { experiment_id: experimentId, key, value }, operation: 'mlflow/experiments/set-experiment-tag', idempotent: true });
  }

  delete(experimentId: string): Promise<Record<string, never>> {
    return this.ctx.http.json({ method: 'POST', path: '/api/2.0/mlflow/experiments/delete', body: { experiment_id: experimentId }, operation: 'mlflow/experiments/delete', idempotent: true });
  }
}

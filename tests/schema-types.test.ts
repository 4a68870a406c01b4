// Type-level tests for the generated schema types. The `@ts-expect-error` lines are checked by
// `tsc --noEmit` (npm run typecheck): if a generated type stopped rejecting the bad literal, the
// directive itself would become an error.
import { describe, expectTypeOf, it } from 'vitest';
import type {
  Endpoints,
  JobsCreateRequest,
  JobsResetRequest,
  JobsRunNowResponse,
} from '../src/schema/api-types.ts';
import type {
  BundleRoot,
  ConfigTarget,
  JobsRunIf,
  JobsTask,
  ResourcesJob,
  ResourcesPipeline,
  ResourcesSecretScope,
  VarRef,
} from '../src/schema/bundle-types.ts';

const goodJob: ResourcesJob = {
  name: 'etl',
  max_concurrent_runs: '${var.max_runs}',
  tasks: [
    { task_key: 'ingest', notebook_task: { notebook_path: '/Workspace/x', source: 'WORKSPACE' }, run_if: 'ALL_SUCCESS' },
    { task_key: 'refresh', depends_on: [{ task_key: 'ingest' }], pipeline_task: { pipeline_id: '${resources.pipelines.p.id}' } },
  ],
  schedule: { quartz_cron_expression: '0 0 * * * ?', timezone_id: 'UTC' },
};

const misspelledJobField: ResourcesJob = {
  name: 'etl',
  // @ts-expect-error misspelled field on a ResourcesJob literal
  max_concurent_runs: 1,
};

const misspelledNestedTask: ResourcesJob = {
  tasks: [
    {
      task_key: 'a',
      // @ts-expect-error misspelled field inside a task of a job literal
      notebook_taks: { notebook_path: '/x' },
    },
  ],
};

const badEnum: JobsTask = {
  task_key: 'a',
  // @ts-expect-error not a JobsRunIf value
  run_if: 'SOMETIMES',
};

const plainStringForObject: JobsTask = {
  task_key: 'a',
  // @ts-expect-error an object-typed field accepts only the object or a ${...} reference
  notebook_task: '/Workspace/x',
};

// @ts-expect-error task_key is required
const missingRequired: JobsTask = { notebook_task: { notebook_path: '/x' } };

const pipeline: ResourcesPipeline = { name: 'p', catalog: 'main', serverless: true, libraries: [{ notebook: { path: './n.py' } }] };
const scope: ResourcesSecretScope = { name: 's', backend_type: 'DATABRICKS' };
const root: BundleRoot = {
  bundle: { name: 'demo' },
  variables: { catalog: { default: 'main', description: 'target catalog' } },
  targets: { dev: { mode: 'development', default: true } },
  resources: { jobs: { etl: goodJob }, pipelines: { p: pipeline }, secret_scopes: { s: scope } },
};

// @ts-expect-error job_id is required by jobs/reset
const resetWithoutJobId: JobsResetRequest = { new_settings: {} };

const createWithTypo: JobsCreateRequest = {
  name: 'x',
  // @ts-expect-error unknown field in a jobs/create body
  max_concurent_runs: 1,
};

describe('generated schema types', () => {
  it('type the bundle tree with snake_case fields and ${...} alternatives', () => {
    expectTypeOf<JobsTask['run_if']>().toEqualTypeOf<JobsRunIf | VarRef | undefined>();
    expectTypeOf<JobsTask['task_key']>().toEqualTypeOf<string>();
    expectTypeOf<ConfigTarget['default']>().toEqualTypeOf<boolean | VarRef | undefined>();
    expectTypeOf<'${var.x}'>().toExtend<VarRef>();
    expectTypeOf<'plain'>().not.toExtend<VarRef>();
    expectTypeOf(root).toExtend<BundleRoot>();
    void [misspelledJobField, misspelledNestedTask, badEnum, plainStringForObject, missingRequired];
  });

  it('type the REST endpoints', () => {
    expectTypeOf<Endpoints['jobs/reset']['body']>().toEqualTypeOf<JobsResetRequest>();
    expectTypeOf<Endpoints['jobs/run-now']['response']>().toEqualTypeOf<JobsRunNowResponse>();
    expectTypeOf<Endpoints['jobs/get']['body']>().toBeNever();
    expectTypeOf<JobsResetRequest['job_id']>().toEqualTypeOf<number>();
    void [resetWithoutJobId, createWithTypo];
  });
});

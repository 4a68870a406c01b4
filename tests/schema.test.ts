import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../src/schema/api-types.ts';
import { validateApiRequest, validateApiResponse, validateBundleConfig } from '../src/schema/validators.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const referenceDir = process.env.DBX_REFERENCE_DIR
  ? path.resolve(process.env.DBX_REFERENCE_DIR)
  : path.resolve(repoRoot, '../shared/reference');
const haveReference = existsSync(path.join(referenceDir, 'dab-jsonschema.json'));
const noReference = `reference schemas not found in ${referenceDir} (set DBX_REFERENCE_DIR)`;

function minimalBundle(job: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    bundle: { name: 'demo' },
    variables: { catalog: { default: 'main' } },
    targets: { dev: { mode: 'development', default: true, workspace: { host: 'https://x.azuredatabricks.net' } } },
    resources: {
      jobs: {
        etl: {
          name: 'etl',
          tasks: [{ task_key: 'ingest', notebook_task: { notebook_path: '/Workspace/x/ingest' } }],
          ...job,
        },
      },
    },
  };
}

describe('validateBundleConfig', () => {
  it('accepts a valid minimal bundle', () => {
    expect(validateBundleConfig(minimalBundle())).toEqual([]);
    expect(validateBundleConfig({ bundle: { name: 'x' } })).toEqual([]);
  });

  it('reports a misspelled task field with its dotted path', () => {
    const doc = minimalBundle({
      tasks: [{ task_key: 'ingest', notebook_taks: { notebook_path: '/x' } }],
    });
    expect(validateBundleConfig(doc)).toEqual([
      { path: 'resources.jobs.etl.tasks[0].notebook_taks', message: 'unknown property "notebook_taks"' },
    ]);
  });

  it('reports a missing required field at the owning object', () => {
    const doc = minimalBundle({ tasks: [{ notebook_task: { notebook_path: '/x' } }] });
    expect(validateBundleConfig(doc)).toEqual([
      { path: 'resources.jobs.etl.tasks[0]', message: 'missing required property "task_key"' },
    ]);
  });

  it('reports an enum violation', () => {
    const doc = minimalBundle({ tasks: [{ task_key: 'a', run_if: 'SOMETIMES' }] });
    const issues = validateBundleConfig(doc);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('resources.jobs.etl.tasks[0].run_if');
    expect(issues[0]?.message).toMatch(/^must be one of .*"ALL_SUCCESS"/);
  });

  it('reports wrong primitive types and mentions the ${...} alternative', () => {
    const issues = validateBundleConfig(minimalBundle({ max_concurrent_runs: 'two' }));
    expect(issues).toEqual([
      { path: 'resources.jobs.etl.max_concurrent_runs', message: 'must be integer (or a ${...} reference)' },
    ]);
  });

  it('accepts ${var.x} interpolation where the schema allows it', () => {
    const doc = minimalBundle({
      max_concurrent_runs: '${var.runs}',
      schedule: '${var.schedule}',
      tasks: [
        { task_key: 'a', notebook_task: '${var.notebook_task}', max_retries: '${var.retries}', run_if: '${var.run_if}' },
        { task_key: 'b', pipeline_task: { pipeline_id: '${resources.pipelines.p.id}' } },
      ],
    });
    expect(validateBundleConfig(doc)).toEqual([]);
  });

  it('rejects interpolations the schema does not allow (objects take only ${var.*}, strings are not refs)', () => {
    const bundleRef = validateBundleConfig(minimalBundle({ queue: '${bundle.target}' }));
    expect(bundleRef).toEqual([{ path: 'resources.jobs.etl.queue', message: 'must be object (or a ${...} reference)' }]);
    const plain = validateBundleConfig(minimalBundle({ schedule: 'daily' }));
    expect(plain.map((i) => i.path)).toEqual(['resources.jobs.etl.schedule']);
  });

  it('rejects unknown top-level resource kinds and misspelled root-adjacent fields', () => {
    expect(validateBundleConfig({ bundle: { name: 'x', nmae: 'y' } })).toEqual([
      { path: 'bundle.nmae', message: 'unknown property "nmae"' },
    ]);
    expect(validateBundleConfig({ resources: { jbos: {} } })).toEqual([
      { path: 'resources.jbos', message: 'unknown property "jbos"' },
    ]);
  });
});

describe('validateApiRequest / validateApiResponse', () => {
  it('accepts a valid jobs/reset body', () => {
    const body = { job_id: 1, new_settings: { name: 'x', tasks: [{ task_key: 'a', notebook_task: { notebook_path: '/x' } }] } };
    expect(validateApiRequest('jobs/reset', 'body', body)).toEqual([]);
  });

  it('catches a missing required field', () => {
    expect(validateApiRequest('jobs/reset', 'body', { new_settings: {} })).toEqual([
      { path: '', message: 'missing required property "job_id"' },
    ]);
  });

  it('catches an unknown field, nested too', () => {
    expect(validateApiRequest('jobs/reset', 'body', { job_id: 1, new_settings: {}, force: true })).toEqual([
      { path: 'force', message: 'unknown property "force"' },
    ]);
    const nested = validateApiRequest('jobs/create', 'body', { tasks: [{ task_key: 'a', notebook_taks: {} }] });
    expect(nested).toEqual([{ path: 'tasks[0].notebook_taks', message: 'unknown property "notebook_taks"' }]);
  });

  it('checks query parameters and enums', () => {
    expect(validateApiRequest('jobs/get', 'query', { job_id: 5 })).toEqual([]);
    expect(validateApiRequest('jobs/get', 'query', {})).toEqual([
      { path: '', message: 'missing required property "job_id"' },
    ]);
    const issues = validateApiRequest('secrets/acls/put', 'body', { scope: 's', principal: 'users', permission: 'ADMIN' });
    expect(issues.map((i) => i.path)).toEqual(['permission']);
  });

  it('rejects a part the endpoint does not take', () => {
    expect(validateApiRequest('jobs/get', 'body', undefined)).toEqual([]);
    expect(validateApiRequest('jobs/get', 'body', { job_id: 1 })).toEqual([{ path: '', message: 'jobs/get takes no body' }]);
  });

  it('relaxes additionalProperties on responses but still checks types', () => {
    expect(validateApiResponse('jobs/create', { job_id: 12, brand_new_field: true })).toEqual([]);
    expect(validateApiResponse('jobs/create', { job_id: 'twelve' })).toEqual([{ path: 'job_id', message: 'must be integer' }]);
    expect(validateApiResponse('jobs/reset', {})).toEqual([]);
  });

  it('throws on an unknown alias', () => {
    expect(() => validateApiRequest('jobs/nope' as 'jobs/get', 'body', {})).toThrow(/unknown API endpoint alias/);
  });

  it('exposes method, path and api_version per alias', () => {
    expect(ENDPOINTS['jobs/reset']).toEqual({ method: 'POST', path: '/api/2.2/jobs/reset', api_version: '2.2' });
    expect(ENDPOINTS['pipelines/get'].path).toBe('/api/2.0/pipelines/{pipeline_id}');
    expect(ENDPOINTS['lakeview/trash'].method).toBe('DELETE');
  });
});

describe('generated schema fidelity (needs the reference schemas)', () => {
  const sample = (job: Record<string, unknown>): unknown => minimalBundle(job);
  const docs: [string, unknown][] = [
    ['minimal', minimalBundle()],
    ['empty', {}],
    ['not an object', 'nope'],
    ['misspelled task field', sample({ tasks: [{ task_key: 'a', notebook_taks: {} }] })],
    ['missing task_key', sample({ tasks: [{ notebook_task: { notebook_path: '/x' } }] })],
    ['enum violation', sample({ tasks: [{ task_key: 'a', run_if: 'NOPE' }] })],
    ['var refs', sample({ schedule: '${var.s}', max_concurrent_runs: '${var.n}', tags: '${var.tags}' })],
    ['bundle ref in object field', sample({ schedule: '${bundle.target}' })],
    ['two refs in an int field', sample({ max_concurrent_runs: '${var.a}-${bundle.b}' })],
    ['unicode var name', sample({ max_concurrent_runs: '${var.größe}' })],
    ['float for int', sample({ max_concurrent_runs: 1.5 })],
    ['unknown root key (allowed by the root schema)', { bundle: { name: 'x' }, whatever: 1 }],
    ['target variable shorthand', { targets: { dev: { variables: { catalog: 'dev' } } } }],
    ['variable with description', { variables: { catalog: { description: 'c', default: 'main' } } }],
    ['variable with unknown key', { variables: { catalog: { defualt: 'main' } } }],
    [
      'pipeline + secret scope + dashboard',
      {
        resources: {
          pipelines: { p: { name: 'p', catalog: 'main', libraries: [{ notebook: { path: './n' } }], serverless: true } },
          secret_scopes: { s: { name: 's', backend_type: 'AZURE_KEYVAULT', keyvault_metadata: { resource_id: 'r', dns_name: 'd' } } },
          dashboards: { d: { display_name: 'd', file_path: './d.lvdash.json', warehouse_id: '${var.wh}' } },
        },
      },
    ],
    ['bad secret scope backend', { resources: { secret_scopes: { s: { name: 's', backend_type: 'VAULT' } } } }],
  ];

  it('bundle-schema.json validates exactly like dab-jsonschema.json', (ctx) => {
    ctx.skip(!haveReference, noReference);
    const original = JSON.parse(readFileSync(path.join(referenceDir, 'dab-jsonschema.json'), 'utf8')) as object;
    const validateOriginal = new Ajv({ strict: false, unicodeRegExp: true }).compile(original);
    const trimmed = JSON.parse(readFileSync(path.join(repoRoot, 'src/schema/bundle-schema.json'), 'utf8')) as object;
    const validateTrimmed = new Ajv2020({ strict: true, unicodeRegExp: true }).compile(trimmed);
    const verdicts = docs.map(([name, doc]) => [name, validateOriginal(doc), validateTrimmed(doc)]);
    for (const [name, a, b] of verdicts) expect(b, String(name)).toBe(a);
    for (const [name, a] of verdicts) expect(validateBundleConfig(docs.find((d) => d[0] === name)?.[1]).length === 0, String(name)).toBe(a);
    // the sample set must exercise both outcomes
    expect(new Set(verdicts.map((v) => v[1]))).toEqual(new Set([true, false]));
  });

  it('api-schema.json agrees with api-shapes.schema.json on request bodies', (ctx) => {
    ctx.skip(!haveReference, noReference);
    const original = JSON.parse(readFileSync(path.join(referenceDir, 'api-shapes.schema.json'), 'utf8')) as {
      endpoints: Record<string, { alias: string | null; body?: object }>;
      $defs: object;
    };
    const ajv = new Ajv2020({ strict: false });
    for (const f of ['int32', 'int64', 'byte', 'google-timestamp', 'google-duration', 'field-mask']) ajv.addFormat(f, true);
    const byAlias = (alias: string) => {
      const e = Object.values(original.endpoints).find((x) => x.alias === alias);
      if (!e?.body) throw new Error(`no body for ${alias}`);
      return ajv.compile({ ...e.body, $defs: original.$defs });
    };
    const cases: [string, unknown][] = [
      ['jobs/reset', { job_id: 1, new_settings: { tasks: [{ task_key: 'a' }] } }],
      ['jobs/reset', { new_settings: {} }],
      ['jobs/reset', { job_id: 1, new_settings: { tasks: [{ task_key: 'a', notebook_taks: {} }] } }],
      ['jobs/create', { name: 'x', schedule: { quartz_cron_expression: '0 0 * * * ?', timezone_id: 'UTC' } }],
      ['jobs/create', { name: 'x', schedule: { quartz_cron_expression: '0 0 * * * ?' } }],
      ['secrets/acls/put', { scope: 's', principal: 'p', permission: 'READ' }],
      ['secrets/acls/put', { scope: 's', principal: 'p', permission: 'OWN' }],
      ['pipelines/create', { name: 'p', libraries: [{ notebook: { path: '/x' } }], serverless: true }],
      ['pipelines/create', { name: 'p', libraries: [{ notebok: { path: '/x' } }] }],
    ];
    for (const [alias, body] of cases) {
      const ours = validateApiRequest(alias as 'jobs/reset', 'body', body).length === 0;
      expect(ours, `${alias} ${JSON.stringify(body)}`).toBe(byAlias(alias)(body));
    }
  });

  it('the generator is deterministic and the committed files are up to date', (ctx) => {
    ctx.skip(!haveReference, noReference);
    const out = mkdtempSync(path.join(tmpdir(), 'gen-schema-'));
    try {
      execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts/gen-schema.ts')], {
        cwd: repoRoot,
        env: { ...process.env, DBX_REFERENCE_DIR: referenceDir, DBX_SCHEMA_OUT_DIR: out },
        stdio: 'pipe',
      });
      for (const f of ['bundle-types.ts', 'bundle-schema.json', 'api-types.ts', 'api-schema.json']) {
        const fresh = readFileSync(path.join(out, f), 'utf8');
        const committed = readFileSync(path.join(repoRoot, 'src/schema', f), 'utf8');
        expect(fresh === committed, `${f} differs from a fresh run of npm run gen:schema`).toBe(true);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

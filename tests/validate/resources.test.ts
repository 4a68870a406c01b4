import { describe, expect, it } from 'vitest';
import { Bundle, Dashboard, Job, Notebook, Pipeline, SecretScope, type SecretScopeProps } from '../../src/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { validateModel, validateResolved } from '../../src/validate/index.ts';
import { FIXTURE_REPO, markedLine, matching, only, testBundle } from './helpers.ts';

const line = (name: string): number => markedLine(import.meta.url, name);
const opts = { repoRoot: FIXTURE_REPO };
const position = { x: 0, y: 0, width: 6, height: 4 };

describe('secret scopes and secrets', () => {
  it('reports a notebook secret from a scope the bundle does not declare', () => {
    const app = testBundle();
    new SecretScope(app, 'kv');
    const elsewhere = new SecretScope(new Bundle({ name: 'other', targets: { dev: {} } }), 'team_scope');
    new Notebook(app, 'summary', { source: 'notebooks/ok.py', secrets: { api_key: elsewhere.secret('api-key') } }); // @mark undeclared-scope
    const d = only(validateModel(resolve(app).model, opts), 'team_scope');
    expect(d).toEqual({
      severity: 'error',
      message: 'Notebook "summary" reads secret "api_key" from scope "team_scope", which the bundle does not declare (declared: kv).',
      path: 'notebooks.summary.secrets.api_key',
      location: expect.objectContaining({ line: line('undeclared-scope') }),
    });
  });

  it('checks {{secrets/<scope>/<key>}} strings in settings', () => {
    const app = testBundle();
    const kv = new SecretScope(app, 'kv');
    new Pipeline(app, 'ingest', { // @mark secret-string
      serverless: true,
      configuration: { token: '{{secrets/missing/token}}', known: kv.secret('client').toString(), typo: '{{secrets/kv/clinet}}' },
    });
    const diagnostics = validateModel(resolve(app).model, opts);
    const missing = only(diagnostics, 'scope "missing"');
    expect(missing.message).toBe('{{secrets/missing/token}} from scope "missing", which the bundle does not declare (declared: kv).');
    expect(missing.path).toBe('resources.pipelines.ingest.configuration.token');
    expect(missing.location?.line).toBe(line('secret-string'));
    const typo = only(diagnostics, 'clinet');
    expect(typo.severity).toBe('warning');
    expect(matching(diagnostics, '{{secrets/kv/client}}')).toEqual([]);
  });

  it('requires unique scope names, valid names, and Key Vault metadata for AZURE_KEYVAULT', () => {
    const app = testBundle();
    new SecretScope(app, 'a', { name: 'shared' }); // @mark scope-a
    new SecretScope(app, 'b', { name: 'shared' }); // @mark scope-b
    new SecretScope(app, 'vault', { backend_type: 'AZURE_KEYVAULT' }); // @mark no-metadata
    new SecretScope(app, 'spaced', { name: 'has space' } as SecretScopeProps);
    const diagnostics = validateModel(resolve(app).model, opts);
    const dup = matching(diagnostics, 'Secret scope name "shared" is used by more than one scope');
    expect(dup.map((d) => d.location?.line)).toEqual([line('scope-a'), line('scope-b')]);
    const vault = only(diagnostics, 'Azure Key Vault');
    expect(vault.message).toBe('Secret scope "vault" is backed by Azure Key Vault but has no keyvault_metadata (resource_id and dns_name of the vault).');
    expect(vault.location?.line).toBe(line('no-metadata'));
    expect(only(diagnostics, '"has space"').message).toBe('Secret scope name "has space" may contain only letters, digits, `_`, `-` and `.`.');
  });
});

describe('references', () => {
  it('reports ${var.x} that is not declared wherever it is written', () => {
    const app = testBundle({ catalog: { default: 'main' } });
    new Job(app, 'etl', { name: 'ETL', description: 'for ${var.team}', tags: { env: app.var('catalog') } }); // @mark undeclared-var
    const d = only(validateModel(resolve(app).model, opts), 'Variable "team"');
    expect(d.message).toBe('Variable "team" (in ${var.team}) is not declared in the bundle\'s variables (declared: catalog).');
    expect(d.path).toBe('resources.jobs.etl.description');
    expect(d.location?.line).toBe(line('undeclared-var'));
  });

  it('reports an undeclared variable used through bundle.var() once, at the var() call', () => {
    const app = testBundle();
    const owner = app.var('owner'); // @mark var-call
    new Job(app, 'etl', { name: 'ETL', tags: { owner } });
    const all = matching(validateResolved(resolve(app), opts), 'Variable "owner"');
    expect(all).toHaveLength(1);
    expect(all[0]!.location?.line).toBe(line('var-call'));
    // validateModel alone still finds it, at the setting that holds it
    expect(only(validateModel(resolve(app).model, opts), 'Variable "owner"').path).toBe('resources.jobs.etl.tags.owner');
  });

  it('reports ${resources...} references to resources the bundle does not have', () => {
    const app = testBundle();
    new Pipeline(app, 'ingest', { serverless: true });
    new Job(app, 'etl', { // @mark resource-ref
      name: 'ETL',
      description: 'after ${resources.pipelines.ingest.id} and ${resources.pipelines.gone.id} and ${resources.clusters.c.id}',
    });
    const diagnostics = matching(validateModel(resolve(app).model, opts), 'not in the bundle');
    // same line and path: sorted by message
    expect(diagnostics.map((d) => d.message)).toEqual([
      '${resources.clusters.c.id} refers to a resource that is not in the bundle: the bundle defines no resources of kind "clusters".',
      '${resources.pipelines.gone.id} refers to a resource that is not in the bundle: the bundle has no pipelines "gone".',
    ]);
    expect(diagnostics.every((d) => d.location?.line === line('resource-ref'))).toBe(true);
  });
});

describe('jobs, dashboards and notebooks', () => {
  it('warns about two jobs with the same name', () => {
    const app = testBundle();
    new Job(app, 'a', { name: 'Nightly' });
    new Job(app, 'b', { name: 'Nightly' }); // @mark job-b
    const found = matching(validateModel(resolve(app).model, opts), 'Job name "Nightly"');
    expect(found.map((d) => d.severity)).toEqual(['warning', 'warning']);
    expect(found[1]!.location?.line).toBe(line('job-b'));
  });

  it('rejects two pipelines with the same name unless duplicates are allowed', () => {
    const app = testBundle();
    new Pipeline(app, 'a', { name: 'ingest', serverless: true });
    new Pipeline(app, 'b', { name: 'ingest', serverless: true }); // @mark pipeline-b
    new Pipeline(app, 'c', { name: 'shared', serverless: true, allow_duplicate_names: true });
    new Pipeline(app, 'd', { name: 'shared', serverless: true, allow_duplicate_names: true });
    const found = matching(validateModel(resolve(app).model, opts), 'Pipeline name');
    expect(found.map((d) => [d.severity, d.path])).toEqual([
      ['error', 'resources.pipelines.a.name'],
      ['error', 'resources.pipelines.b.name'],
    ]);
    expect(found[1]!.message).toBe('Pipeline name "ingest" is also used by pipeline "a"; Databricks rejects the second unless allow_duplicate_names is true.');
    expect(found[1]!.location?.line).toBe(line('pipeline-b'));
  });

  it('reports widgets that use datasets the dashboard does not define', () => {
    const app = testBundle();
    new Dashboard(app, 'sales', { // @mark dashboard
      display_name: 'Sales',
      datasets: [{ name: 'revenue', display_name: 'Revenue', query: 'SELECT 1 AS revenue' }],
      widgets: [
        { name: 'ok', title: 'OK', kind: 'counter', dataset: 'revenue', position },
        { name: 'bad', title: 'Bad', kind: 'bar', dataset: 'revenu', position: { ...position, x: 3, width: 4 } },
      ],
    });
    const diagnostics = validateModel(resolve(app).model, opts);
    const d = only(diagnostics, 'dataset "revenu"');
    expect(d.message).toBe('Widget "bad" of dashboard "sales" uses dataset "revenu", which the dashboard does not define (datasets: revenue).');
    expect(d.path).toBe('resources.dashboards.sales.widgets[1].dataset');
    expect(d.location?.line).toBe(line('dashboard'));
    expect(only(diagnostics, 'columns 3..7').path).toBe('resources.dashboards.sales.widgets[1].position');
  });

  it("reports notebooks whose source file is missing, relative to the bundle file's folder", () => {
    const app = testBundle();
    new Notebook(app, 'present', { source: 'notebooks/ok.py' });
    new Notebook(app, 'absent', { source: 'notebooks/absent.py.hbs' }); // @mark missing-source
    new Notebook(app, 'absolute', { source: '/etc/hosts' });
    const diagnostics = validateModel(resolve(app).model, opts);
    const d = only(diagnostics, 'absent.py.hbs');
    expect(d.message).toBe(`Notebook "absent": source file notebooks/absent.py.hbs does not exist (sources are relative to the bundle file's folder).`);
    expect(d.path).toBe('notebooks.absent.source');
    expect(d.location?.line).toBe(line('missing-source'));
    expect(only(diagnostics, '/etc/hosts').message).toContain('must be a relative path');
    expect(matching(diagnostics, '"present"')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors/index.ts';
import { interpolate, resolveResourceIds, resolveVariables, resourceReferences, type InterpolationContext } from '../../src/deploy/interpolate.ts';
import { sampleModel } from './helpers.ts';

const ctx: InterpolationContext = {
  variables: { catalog: 'main', retries: 3, flag: true },
  bundle: { name: 'shop', target: 'dev' },
  workspace: {
    current_user: { userName: 'ann.lee@example.com', short_name: 'ann_lee' },
    root_path: '/Workspace/Users/ann.lee@example.com/.bundle/shop/dev',
    file_path: '/Workspace/Users/ann.lee@example.com/.bundle/shop/dev/files',
    state_path: '/Workspace/Users/ann.lee@example.com/.bundle/shop/dev/state',
    resource_path: '/Workspace/Users/ann.lee@example.com/.bundle/shop/dev/resources',
  },
};

describe('resolveVariables', () => {
  it('takes --var over BUNDLE_VAR_ over the target override over the default', () => {
    const model = sampleModel();
    model.variables['kv_id'] = { default: 'from-default' };
    expect(resolveVariables(model, { env: {} })).toMatchObject({ catalog: 'shop_cat', warehouse_id: 'wh-target', kv_id: 'from-default' });
    expect(resolveVariables(model, { env: { BUNDLE_VAR_warehouse_id: 'wh-env' } })['warehouse_id']).toBe('wh-env');
    expect(resolveVariables(model, { env: { BUNDLE_VAR_warehouse_id: 'wh-env' }, flags: { warehouse_id: 'wh-flag' } })['warehouse_id']).toBe('wh-flag');
  });

  it('names every missing variable and how to set it', () => {
    const model = sampleModel();
    delete model.target.variables['warehouse_id'];
    let error: unknown;
    try {
      resolveVariables(model, { env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    const e = error as UserError;
    expect(e.message).toContain('"warehouse_id"');
    expect(e.message).toContain('"kv_id"');
    expect(e.message).toContain('SQL warehouse');
    expect(e.hint).toContain('--var warehouse_id=<value>');
    expect(e.hint).toContain('BUNDLE_VAR_warehouse_id');
  });

  it('refuses a --var the bundle does not declare', () => {
    expect(() => resolveVariables(sampleModel(), { env: { BUNDLE_VAR_kv_id: 'x' }, flags: { nope: '1' } })).toThrow(/"nope"/);
  });
});

describe('interpolate', () => {
  it('resolves variables, bundle and workspace values inside strings and keeps types of whole references', () => {
    const out = interpolate(
      {
        name: '${bundle.name}-${bundle.target} in ${var.catalog}',
        retries: '${var.retries}',
        flag: '${var.flag}',
        long: '${variables.catalog.value}',
        path: '${workspace.file_path}/src/x',
        me: '${workspace.current_user.userName}/${workspace.current_user.short_name}',
        list: ['${var.catalog}', 1],
      },
      ctx,
    );
    expect(out).toEqual({
      name: 'shop-dev in main',
      retries: 3,
      flag: true,
      long: 'main',
      path: '/Workspace/Users/ann.lee@example.com/.bundle/shop/dev/files/src/x',
      me: 'ann.lee@example.com/ann_lee',
      list: ['main', 1],
    });
  });

  it('leaves DLT placeholders and secret references alone', () => {
    expect(interpolate({ q: 'SELECT * FROM ${catalog}.gold.x', s: '{{secrets/kv/key}}' }, ctx)).toEqual({ q: 'SELECT * FROM ${catalog}.gold.x', s: '{{secrets/kv/key}}' });
  });

  it('reports an unknown variable with the config path', () => {
    expect(() => interpolate({ a: { b: '${var.nope}' } }, ctx, 'resources.jobs.x')).toThrow(/\$\{var\.nope\} at resources\.jobs\.x\.a\.b/);
    expect(() => interpolate('${workspace.nope}', ctx)).toThrow(UserError);
    expect(() => interpolate('${resources.jobs.x}', ctx)).toThrow(expect.objectContaining({ hint: expect.stringMatching(/by one field/) }));
    // Fields other than the id come from the referenced settings later (model/references.ts).
    expect(interpolate('${resources.schemas.landing.name}', ctx)).toBe('${resources.schemas.landing.name}');
  });

  it('resolves a variable whose value refers to another value', () => {
    expect(interpolate('${var.a}', { ...ctx, variables: { a: '${bundle.name}_${var.b}', b: 'x' } })).toBe('shop_x');
  });

  it('keeps resource ids unresolved until they are known, then resolves them', () => {
    const settings = { pipeline_id: '${resources.pipelines.pl.id}', job_id: '${resources.jobs.other.id}', text: 'id=${resources.pipelines.pl.id}' };
    expect(interpolate(settings, ctx)).toEqual(settings);
    expect(resourceReferences(settings)).toEqual([
      { kind: 'pipelines', key: 'pl', field: 'id' },
      { kind: 'jobs', key: 'other', field: 'id' },
      { kind: 'pipelines', key: 'pl', field: 'id' },
    ]);
    const resolved = resolveResourceIds(settings, (kind, key) => (kind === 'pipelines' && key === 'pl' ? 'abc-123' : kind === 'jobs' ? '9007199254740993' : undefined));
    expect(resolved).toEqual({ pipeline_id: 'abc-123', job_id: 9007199254740993n, text: 'id=abc-123' });
  });
});

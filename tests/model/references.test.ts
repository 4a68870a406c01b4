// Field references between resources resolve from the settings, through chains, leaving ids alone.
import { describe, expect, it } from 'vitest';
import { resolveFieldReferences } from '../../src/model/references.ts';

describe('resolveFieldReferences', () => {
  it('follows chains and keeps the value type of a whole-value reference', () => {
    const out = resolveFieldReferences([
      { kind: 'volumes', key: 'raw', settings: { catalog_name: '${resources.schemas.landing.catalog_name}', schema_name: '${resources.schemas.landing.name}', path: '/Volumes/${resources.schemas.landing.catalog_name}/x' } },
      { kind: 'schemas', key: 'landing', settings: { name: 'landing', catalog_name: '${resources.catalogs.cat.name}', hours: '${resources.catalogs.cat.hours}' } },
      { kind: 'catalogs', key: 'cat', settings: { name: 'sales', hours: 48 } },
      { kind: 'jobs', key: 'j', settings: { id: '${resources.pipelines.p.id}', missing: '${resources.schemas.landing.nope}' } },
    ]);
    expect(out[0]!.settings).toEqual({ catalog_name: 'sales', schema_name: 'landing', path: '/Volumes/sales/x' });
    expect(out[1]!.settings['hours']).toBe(48);
    expect(out[3]!.settings).toEqual({ id: '${resources.pipelines.p.id}', missing: '${resources.schemas.landing.nope}' });
  });

  it('leaves a cycle as written instead of looping', () => {
    const out = resolveFieldReferences([
      { kind: 'schemas', key: 'a', settings: { name: '${resources.schemas.b.name}' } },
      { kind: 'schemas', key: 'b', settings: { name: '${resources.schemas.a.name}' } },
    ]);
    expect(out.map((r) => r.settings['name'])).toEqual(['${resources.schemas.b.name}', '${resources.schemas.a.name}']);
  });
});

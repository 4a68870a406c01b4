// Small pure pieces: config paths, cycle search, "did you mean", locations.
import { describe, expect, it } from 'vitest';
import { childPath, parentPath, pathKeys, pathSegments, selfAndAncestors } from '../../src/validate/config-path.ts';
import { locationOf } from '../../src/validate/locate.ts';
import { closest, editDistance } from '../../src/validate/suggest.ts';
import { findCycles } from '../../src/validate/task-graph.ts';
import type { BundleModel } from '../../src/model/types.ts';

describe('config paths', () => {
  it('splits keys, indexes and quoted keys', () => {
    expect(pathSegments('resources.jobs.x.tasks[2].depends_on[0]')).toEqual(['resources', '.jobs', '.x', '.tasks', '[2]', '.depends_on', '[0]']);
    expect(pathKeys('targets["a.b]"].variables')).toEqual(['targets', 'a.b]', 'variables']);
    expect(selfAndAncestors('a.b[0].c')).toEqual(['a.b[0].c', 'a.b[0]', 'a.b', 'a']);
    expect(parentPath('a.b[0]')).toBe('a.b');
    expect(parentPath('a')).toBe('');
    expect(childPath('targets', 'my.target')).toBe('targets["my.target"]');
    expect(childPath('', 'bundle')).toBe('bundle');
  });

  it('finds the nearest recorded ancestor, then the bundle', () => {
    const at = (line: number) => ({ file: '/f.ts', line });
    const model = { locations: { bundle: at(1), 'resources.jobs.x': at(5), 'resources.jobs.x.tasks[1]': at(9) } } as unknown as BundleModel;
    expect(locationOf(model, 'resources.jobs.x.tasks[1].depends_on[0]')?.line).toBe(9);
    expect(locationOf(model, 'resources.jobs.x.tasks[0].notebook_task')?.line).toBe(5);
    expect(locationOf(model, 'variables.catalog')?.line).toBe(1);
  });
});

describe('findCycles', () => {
  const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

  it('names each cycle once, from its earliest node, by the shortest way back', () => {
    const nodes = ['a', 'b', 'c', 'd', 'e'];
    expect(findCycles(nodes, graph({ a: ['b'], b: ['c', 'a'], c: ['a'], d: ['d'], e: ['a'] }))).toEqual([
      ['a', 'b', 'a'],
      ['d', 'd'],
    ]);
  });

  it('finds nothing in a DAG', () => {
    expect(findCycles(['a', 'b', 'c'], graph({ b: ['a'], c: ['a', 'b'] }))).toEqual([]);
  });
});

describe('suggestions', () => {
  it('measures edit distance and picks the closest near name', () => {
    expect(editDistance('notebok_path', 'notebook_path')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closest('notebok_path', ['base_parameters', 'notebook_path', 'source'])).toBe('notebook_path');
    expect(closest('zzz', ['notebook_path', 'source'])).toBeUndefined();
  });
});

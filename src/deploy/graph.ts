// Dependency order between resources: a resource comes after everything it depends on.
import { UserError } from '../errors/index.ts';
import { RESOURCE_KINDS, type Address, type ResourceKind } from './types.ts';

export interface Node {
  address: Address;
  kind: ResourceKind;
  dependsOn: Address[];
}

/** Kind order first (scopes, files, pipelines, dashboards, jobs), then dependencies; a cycle is reported. */
export function topologicalOrder<T extends Node>(nodes: T[]): T[] {
  const byAddress = new Map(nodes.map((n) => [n.address, n]));
  const rank = (n: T) => RESOURCE_KINDS.indexOf(n.kind);
  const sorted = [...nodes].sort((a, b) => rank(a) - rank(b) || a.address.localeCompare(b.address));
  const out: T[] = [];
  const state = new Map<Address, 'visiting' | 'done'>();
  const visit = (node: T, trail: Address[]) => {
    const seen = state.get(node.address);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(node.address)), node.address];
      throw new UserError(`Resources depend on each other in a cycle: ${cycle.join(' → ')}`);
    }
    state.set(node.address, 'visiting');
    for (const dep of node.dependsOn) {
      const target = byAddress.get(dep);
      if (target) visit(target, [...trail, node.address]);
    }
    state.set(node.address, 'done');
    out.push(node);
  };
  for (const node of sorted) visit(node, []);
  return out;
}

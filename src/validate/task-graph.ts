// Cycles in a dependency graph, each named as a closed walk (a → b → a), found with Tarjan's strongly connected components.

/**
 * Every cycle, one per strongly connected component: starting at the component's earliest node (in `nodes` order)
 * and following the shortest way back to it. `edges.get(a)` lists the nodes `a` depends on.
 */
export function findCycles(nodes: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const order = new Map(nodes.map((n, i) => [n, i]));
  return stronglyConnected(nodes, edges)
    .filter((c) => c.length > 1 || (edges.get(c[0]!) ?? []).includes(c[0]!))
    .map((component) => {
      const members = new Set(component);
      const start = [...component].sort((a, b) => order.get(a)! - order.get(b)!)[0]!;
      return shortestCycle(start, members, edges);
    })
    .sort((a, b) => order.get(a[0]!)! - order.get(b[0]!)!);
}

function stronglyConnected(nodes: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component);
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return components;
}

/** Breadth-first from `start` inside the component until an edge leads back to `start`. */
function shortestCycle(start: string, members: Set<string>, edges: ReadonlyMap<string, readonly string[]>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of edges.get(v) ?? []) {
      if (w === start) {
        const walk = [v];
        while (walk[0] !== start) walk.unshift(previous.get(walk[0]!)!);
        return [...walk, start];
      }
      if (members.has(w) && !previous.has(w) && w !== start) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

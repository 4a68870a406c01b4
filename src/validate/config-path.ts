// Config paths as the bundle YAML spells them: `resources.jobs.x.tasks[2].depends_on[0]`, `targets["my.target"]`.

/** A path's segments, each with its own separator (`a`, `.b`, `[0]`, `["k.k"]`), so prefixes join back exactly. */
export function pathSegments(path: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < path.length) {
    const start = i;
    if (path[i] === '[') {
      if (path[i + 1] === '"') {
        i += 2;
        while (i < path.length && path[i] !== '"') i += path[i] === '\\' ? 2 : 1;
        i += 1; // closing quote
      }
      while (i < path.length && path[i] !== ']') i++;
      i += 1; // closing bracket
    } else {
      i += path[i] === '.' ? 1 : 0;
      while (i < path.length && path[i] !== '.' && path[i] !== '[') i++;
    }
    out.push(path.slice(start, i));
  }
  return out;
}

/** The path itself, then each ancestor up to the root key: `a.b[0]`, `a.b`, `a`. */
export function selfAndAncestors(path: string): string[] {
  const segments = pathSegments(path);
  const out: string[] = [];
  for (let n = segments.length; n > 0; n--) out.push(segments.slice(0, n).join(''));
  return out;
}

/** The path without its last segment ('' for a root key). */
export function parentPath(path: string): string {
  const segments = pathSegments(path);
  return segments.slice(0, -1).join('');
}

/** Plain key names of a path (`tasks[0]` → `tasks`, `0`), for walking a schema. */
export function pathKeys(path: string): string[] {
  return pathSegments(path).map((s) => {
    if (s.startsWith('["')) return JSON.parse(s.slice(1, -1)) as string;
    if (s.startsWith('[')) return s.slice(1, -1);
    return s.startsWith('.') ? s.slice(1) : s;
  });
}

/** Appends an object key, quoting keys that are not plain names (as the schema validator does). */
export function childPath(path: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

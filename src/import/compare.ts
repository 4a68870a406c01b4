// Compares two resolved configurations (the original YAML's and the imported definition's build), field by
// field, with the CLI's sense of equality: map key order does not matter, list order does.

export interface Difference {
  /** Dotted path, e.g. `resources.jobs.etl.tasks[0].notebook_task.notebook_path`. */
  path: string;
  /** The original's value (absent: the original does not set it). */
  original?: unknown;
  /** The value the imported definition builds (absent: it does not set it). */
  imported?: unknown;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

export function compareConfigs(original: unknown, imported: unknown, path = ''): Difference[] {
  if (isMap(original) && isMap(imported)) {
    const keys = [...new Set([...Object.keys(original), ...Object.keys(imported)])].sort();
    return keys.flatMap((k) => compareConfigs(original[k], imported[k], join(path, k)));
  }
  if (Array.isArray(original) && Array.isArray(imported) && original.length === imported.length) {
    return original.flatMap((v, i) => compareConfigs(v, imported[i], join(path, i)));
  }
  if (original === imported) return [];
  const d: Difference = { path };
  if (original !== undefined) d.original = original;
  if (imported !== undefined) d.imported = imported;
  return [d];
}

/** One line per difference, values shown as JSON and cut at 100 characters. */
export function formatDifference(d: Difference): string {
  const show = (v: unknown) => {
    if (v === undefined) return '(unset)';
    const text = JSON.stringify(v);
    return text.length > 100 ? `${text.slice(0, 97)}...` : text;
  };
  return `${d.path || '(root)'}: ${show(d.original)} → ${show(d.imported)}`;
}

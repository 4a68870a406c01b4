// Include globs as the Databricks CLI expands them (Go's filepath.Glob): `*` and `?` never cross a `/`,
// `[...]` is a character class (`[^...]` negated), `**` is just two stars, and only existing entries match.
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';

const META = /[*?[\\]/;

export function hasGlobMeta(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** One path segment's pattern as a regular expression (Go's filepath.Match). */
function segmentRegex(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) out += escape(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new Error(`syntax error in pattern ${pattern}`);
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^' : ''}${body.replace(/[\]\\]/g, '\\$&')}]`;
      i = end;
    } else out += escape(c);
  }
  return new RegExp(`^${out}$`, 'u');
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Absolute paths matching `pattern` (relative to `root` unless absolute), sorted. */
export function glob(root: string, pattern: string): string[] {
  const full = normalize(isAbsolute(pattern) ? pattern : join(root, pattern));
  const segments = full.split(sep);
  // The longest prefix without pattern characters is the directory the search starts from.
  let base = segments[0] === '' ? sep : segments[0]!;
  let i = 1;
  while (i < segments.length - 1 && !META.test(segments[i]!)) base = join(base, segments[i++]!);
  let current = [base];
  for (; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    const next: string[] = [];
    for (const dir of current) {
      if (!META.test(seg)) {
        const candidate = join(dir, seg);
        if (exists(candidate, !last)) next.push(candidate);
        continue;
      }
      const re = segmentRegex(seg);
      for (const name of entries(dir)) {
        const candidate = join(dir, name);
        if (re.test(name) && exists(candidate, !last)) next.push(candidate);
      }
    }
    current = next;
  }
  return current.sort();
}

function exists(path: string, mustBeDirectory: boolean): boolean {
  try {
    const s = statSync(path);
    return mustBeDirectory ? s.isDirectory() : true;
  } catch {
    return false;
  }
}

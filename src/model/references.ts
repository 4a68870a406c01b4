// `${resources.<kind>.<key>.<field>}` references to another resource's settings (a volume's schema_name is
// `${resources.schemas.landing.name}`), resolved from the settings themselves, as the Databricks CLI does.
// `.id` is different: an id exists only once the resource is deployed (see deploy/interpolate.ts).

/** One resource's settings, by kind and key. */
export interface ResourceSettings {
  kind: string;
  key: string;
  settings: Record<string, unknown>;
}

const FIELD_REFERENCE = /\$\{resources\.([\w-]+)\.([\w-]+)\.([\w-]+)\}/g;
const MAX_PASSES = 10;

/** A field's value when it is settled: a scalar with no `${...}` left in it. */
function settledValue(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'string') return value.includes('${') ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

type Lookup = (kind: string, key: string, field: string) => string | number | boolean | undefined;

function replaceIn(value: unknown, lookup: Lookup): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${resources.')) return value;
    const whole = /^\$\{resources\.([\w-]+)\.([\w-]+)\.([\w-]+)\}$/.exec(value);
    // A value that is one reference keeps the referenced value's type.
    if (whole && whole[3] !== 'id') return lookup(whole[1]!, whole[2]!, whole[3]!) ?? value;
    return value.replace(FIELD_REFERENCE, (match, kind: string, key: string, field: string) => {
      if (field === 'id') return match;
      const found = lookup(kind, key, field);
      return found === undefined ? match : String(found);
    });
  }
  if (Array.isArray(value)) return value.map((v) => replaceIn(v, lookup));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceIn(v, lookup)]));
  }
  return value;
}

/**
 * Returns the resources with every field reference replaced by the referenced field's value, in as many passes
 * as chains need (a volume refers to its schema, which refers to its catalog). References to fields that are
 * not set, or that never settle, stay as written.
 */
export function resolveFieldReferences<T extends ResourceSettings>(resources: readonly T[]): T[] {
  let current = resources.map((r) => ({ ...r }));
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const byAddress = new Map(current.map((r) => [`${r.kind}.${r.key}`, r.settings]));
    let changed = false;
    const lookup: Lookup = (kind, key, field) => {
      const found = settledValue(byAddress.get(`${kind}.${key}`)?.[field]);
      if (found !== undefined) changed = true;
      return found;
    };
    current = current.map((r) => ({ ...r, settings: replaceIn(r.settings, lookup) as Record<string, unknown> }));
    if (!changed) break;
  }
  return current;
}

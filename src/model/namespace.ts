// Target isolation: where a target's tables, views, checkpoints and volume files live. Table text names a schema
// of the bundle's catalog as declared (`${catalog}.silver.orders`, `/Volumes/${catalog}/landing/raw`); a target
// may deploy that schema under another name (development mode prefixes it `dev_<short_name>_`, as the Databricks
// CLI does), so generated code names it `${schema_<name>}` and each runtime fills it in from the pipeline's
// configuration or the notebook's widgets, which the bundle sets to `${resources.schemas.<key>.name}`: the name
// the schema is deployed under, by dbx-ts deploy or by the Databricks CLI deploying the built bundle.

/** The configuration key / widget that carries the deployed name of the declared schema `name`. */
export function schemaParameter(name: string): string {
  return `schema_${name}`;
}

/** `${resources.schemas.<key>.name}`: the schema's name as deployed on the target. */
export function schemaNameRef(key: string): string {
  return `\${resources.schemas.${key}.name}`;
}

/** The Databricks CLI's textutil.NormalizeString: lower case, runs of other than letters and digits as one `_`, trimmed. */
function normalizeString(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
}

/** The CLI's normalizePrefix: `[dev jane] ` → `dev_jane_`, where a name must be an identifier (schemas, UC models). */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replaceAll('[', '').trim();
  return normalizeString(trimmed) + (trimmed.endsWith(']') ? '_' : '');
}

export interface SchemaPrefixOptions {
  mode: 'development' | 'production' | undefined;
  /** The current user's short name (the CLI's `workspace.current_user.short_name`). */
  shortName: string;
  /** The target's `presets` section, if any. */
  presets?: { name_prefix?: unknown };
  /** The bundle's `experimental` section, if any (`skip_name_prefix_for_schema`). */
  experimental?: { skip_name_prefix_for_schema?: unknown };
  /** The local target: one user's own workspace, so no prefix unless presets.name_prefix asks for one. */
  local?: boolean;
}

/**
 * What a target puts before each schema name, as the Databricks CLI does: the normalised `presets.name_prefix`,
 * which development mode sets to `[dev <short_name>] ` when the target sets none; '' in production.
 */
export function schemaPrefix(opts: SchemaPrefixOptions): string {
  if (opts.experimental?.skip_name_prefix_for_schema === true) return '';
  const given = opts.presets?.name_prefix;
  // An empty name_prefix counts as unset, as in the CLI (development mode then sets its own).
  if (typeof given === 'string' && given !== '') return normalizePrefix(given);
  if (opts.mode !== 'development' || opts.local) return '';
  return normalizePrefix(`[dev ${opts.shortName}] `);
}

/** Schema names of the bundle's catalog → resource keys: the schemas whose names generated code parameterises. */
export function catalogSchemas(schemas: Readonly<Record<string, { settings: { name: string; catalog_name: string } }>>, catalogRef: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, s] of Object.entries(schemas)) if (s.settings.catalog_name === catalogRef) out[s.settings.name] = key;
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Text (SQL, Python, a path) with each schema of `schemas` named by its parameter where it follows the catalog:
 * `${catalog}.silver.` and `` `${catalog}`.`silver`. `` become `${catalog}.${schema_silver}.`, and
 * `/Volumes/${catalog}/landing/` becomes `/Volumes/${catalog}/${schema_landing}/`. `catalog` is the catalog's
 * spelling in the text (`${catalog}` in code, `${var.catalog}` in settings); in settings pass `value` to name
 * the schema by its resource reference instead.
 */
export function namespacedText(
  text: string,
  schemas: Readonly<Record<string, string>>,
  catalog = '${catalog}',
  value: (name: string, key: string) => string = (name) => `\${${schemaParameter(name)}}`,
): string {
  const names = Object.keys(schemas);
  if (names.length === 0 || !text.includes(catalog)) return text;
  const alternatives = names.map(escapeRegExp).sort((a, b) => b.length - a.length).join('|');
  const c = escapeRegExp(catalog);
  const qualified = new RegExp(`(\`?${c}\`?\\.)(\`?)(${alternatives})(?=\`?\\.)`, 'g');
  const volume = new RegExp(`(/Volumes/${c}/)(${alternatives})(?=/|$)`, 'g');
  return text
    .replace(qualified, (_m, head: string, tick: string, name: string) => `${head}${tick}${value(name, schemas[name]!)}`)
    .replace(volume, (_m, head: string, name: string) => `${head}${value(name, schemas[name]!)}`);
}

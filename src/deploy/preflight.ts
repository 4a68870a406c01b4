// Preflight: what a deploy can know before its first write (not even the lock), checked with reads only, every
// problem reported at once with its fix. Variables without a value already failed in prepare. Here: an Azure
// Key Vault-backed scope that must be created needs an Entra ID token; the SQL warehouses the bundle names
// must exist; the catalogs its schemas and pipelines use must exist (unless the bundle owns them).
import { UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import { ENTRA_HINT, isNotFound, type WorkspaceClient } from '../workspace/index.ts';
import { RemoteApiError } from '../errors/index.ts';
import type { VariableValue } from './interpolate.ts';
import type { DesiredResource } from './types.ts';

export interface PreflightFinding {
  check: 'auth' | 'warehouse' | 'catalog';
  message: string;
  fix: string;
}

export interface PreflightInput {
  client: WorkspaceClient;
  desired: DesiredResource[];
  /** The bundle's catalog on this target (tables and notebooks use it); '' when it has none. */
  catalog: string;
  /** The target's SQL warehouse, when it names one. */
  targetWarehouse?: string;
  variables: Record<string, VariableValue>;
}

/** Where the bundle names a value, for messages: `dashboards.sales_dashboard`, `jobs.wf`. */
function users(map: Map<string, string[]>, value: string, address: string): void {
  const list = map.get(value) ?? [];
  if (!list.includes(address)) list.push(address);
  map.set(value, list);
}

/** `--var x=...` / `BUNDLE_VAR_x` for the variables whose value this is, so the fix names what to set. */
function variableHint(variables: Record<string, VariableValue>, value: string, fallback: string): string {
  const names = Object.entries(variables)
    .filter(([, v]) => String(v) === value)
    .map(([name]) => name);
  if (names.length === 0) return fallback;
  return `Set ${names.map((n) => `BUNDLE_VAR_${n} (or --var ${n}=...)`).join(' or ')} to ${fallback.charAt(0).toLowerCase()}${fallback.slice(1)}`;
}

function warehousesOf(desired: DesiredResource[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const r of desired) {
    if (r.kind === 'dashboards' && typeof r.settings['warehouse_id'] === 'string') users(found, r.settings['warehouse_id'], r.address);
    if (r.kind !== 'jobs') continue;
    for (const task of (r.settings['tasks'] as Record<string, unknown>[] | undefined) ?? []) {
      for (const kind of ['dashboard_task', 'sql_task']) {
        const id = (task[kind] as { warehouse_id?: unknown } | undefined)?.warehouse_id;
        if (typeof id === 'string') users(found, id, r.address);
      }
    }
  }
  return found;
}

function catalogsOf(desired: DesiredResource[], bundleCatalog: string): Map<string, string[]> {
  const owned = new Set(desired.filter((r) => r.kind === 'catalogs').map((r) => String(r.settings['name']).toLowerCase()));
  const found = new Map<string, string[]>();
  for (const r of desired) {
    const name = r.kind === 'schemas' ? r.settings['catalog_name'] : r.kind === 'pipelines' ? r.settings['catalog'] : undefined;
    if (typeof name === 'string' && !owned.has(name.toLowerCase())) users(found, name, r.address);
  }
  // The catalog tables and notebooks use, when the bundle puts anything in Unity Catalog at all.
  if (bundleCatalog && !owned.has(bundleCatalog.toLowerCase()) && found.size > 0 && !found.has(bundleCatalog)) users(found, bundleCatalog, 'the bundle catalog');
  return found;
}

/** The reason a read failed in a way the user can fix (missing, or not visible to this identity). */
function refusal(error: unknown): string | undefined {
  if (isNotFound(error)) return 'does not exist';
  if (error instanceof RemoteApiError && error.details.status === 403) return `is not visible to this identity (${error.details.error_code ?? 'PERMISSION_DENIED'})`;
  return undefined;
}

async function checkExists(read: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await read();
    return undefined;
  } catch (error) {
    const why = refusal(error);
    if (why === undefined) throw error;
    return why;
  }
}

async function checkAuth(input: PreflightInput): Promise<PreflightFinding[]> {
  const keyVault = input.desired.filter((r) => r.kind === 'secret_scopes' && r.settings['scope_backend_type'] === 'AZURE_KEYVAULT');
  if (keyVault.length === 0) return [];
  // A PAT of unknown shape may be an Entra ID token given as DATABRICKS_TOKEN: only a known Databricks token fails.
  if ((await input.client.tokenIssuer()) !== 'databricks') return [];
  const existing = new Set((await input.client.secrets.listScopes()).map((s) => s.name));
  const authType = input.client.auth.auth_type;
  return keyVault
    .filter((r) => !existing.has(String(r.settings['scope'])))
    .map((r) => ({
      check: 'auth' as const,
      message: `${r.address}: the Azure Key Vault-backed scope "${String(r.settings['scope'])}" must be created, which needs a Microsoft Entra ID token; this deploy authenticates with ${authType}, which sends a Databricks token`,
      fix: ENTRA_HINT,
    }));
}

async function checkWarehouses(input: PreflightInput): Promise<PreflightFinding[]> {
  const wanted = warehousesOf(input.desired);
  if (input.targetWarehouse) users(wanted, input.targetWarehouse, 'the target');
  const findings: PreflightFinding[] = [];
  for (const [id, usedBy] of wanted) {
    if (id.includes('${')) continue;
    const why = await checkExists(() => input.client.warehouses.get(id));
    if (why) {
      findings.push({
        check: 'warehouse',
        message: `SQL warehouse ${id} (used by ${usedBy.join(', ')}) ${why} in ${input.client.host}`,
        fix: variableHint(input.variables, id, 'The id of a SQL warehouse this identity can use (SQL Warehouses page, or `databricks warehouses list`).'),
      });
    }
  }
  return findings;
}

async function checkCatalogs(input: PreflightInput): Promise<PreflightFinding[]> {
  const findings: PreflightFinding[] = [];
  for (const [name, usedBy] of catalogsOf(input.desired, input.catalog)) {
    if (name.includes('${')) continue;
    const why = await checkExists(() => input.client.catalogs.get(name));
    if (why) {
      findings.push({
        check: 'catalog',
        message: `Catalog ${name} (used by ${usedBy.join(', ')}) ${why}: deploy creates the bundle's schemas and volumes, not the catalog they live in`,
        fix: variableHint(
          input.variables,
          name,
          `A catalog this identity may use: create it first (CREATE CATALOG ${name}, as a metastore admin) and grant the deploying identity USE CATALOG and CREATE SCHEMA on it.`,
        ),
      });
    }
  }
  return findings;
}

/** Every preflight finding (reads only). */
export async function preflightFindings(input: PreflightInput): Promise<PreflightFinding[]> {
  const [auth, warehouses, catalogs] = await Promise.all([checkAuth(input), checkWarehouses(input), checkCatalogs(input)]);
  return [...auth, ...warehouses, ...catalogs];
}

/**
 * Runs the checks. For a deploy, a finding throws before anything is written, naming every problem and its
 * fix; for a plan, findings are warnings.
 */
export async function preflight(input: PreflightInput, sink: EventSink, options: { failOnFindings: boolean }): Promise<PreflightFinding[]> {
  const findings = await preflightFindings(input);
  if (!options.failOnFindings) {
    for (const f of findings) sink({ code: 'deploy.preflight', level: 'warn', message: `${f.message}. ${f.fix}`, data: { check: f.check, fix: f.fix } });
  }
  if (findings.length > 0 && options.failOnFindings) {
    const fixes = [...new Set(findings.map((f) => f.fix))];
    throw new UserError(
      `Preflight found ${findings.length} problem(s); nothing was written (not even the deploy lock):\n${findings.map((f) => `  - ${f.message}`).join('\n')}`,
      fixes.join('\n  '),
    );
  }
  return findings;
}

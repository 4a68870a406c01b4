// `secrets check`: every secret the bundle refers to (the keys declared on its scopes and the secrets its
// notebooks read) must exist in the workspace. Lists keys only; values are never requested.
import { UserError } from '../errors/index.ts';
import type { EventSink } from '../events/types.ts';
import { silentSink } from '../events/types.ts';
import type { BundleModel } from '../model/types.ts';
import { isNotFound, type WorkspaceClient } from '../workspace/index.ts';
import { interpolate, resolveVariables, type VariableSources } from './interpolate.ts';

export interface SecretReference {
  scope: string;
  key: string;
  /** Where the bundle refers to it. */
  usedBy: string[];
}

/** The secrets a bundle needs, by scope name as deployed (variables resolved). */
export function secretReferences(model: BundleModel, sources: VariableSources = {}): SecretReference[] {
  const variables = resolveVariables(model, sources);
  const ctx = {
    variables,
    bundle: { name: model.bundle.name, target: model.target.name },
    workspace: { current_user: { userName: '', short_name: '' }, root_path: '', file_path: '', state_path: '', resource_path: '' },
  };
  const refs = new Map<string, SecretReference>();
  const add = (scope: string, key: string, usedBy: string) => {
    const id = `${scope}/${key}`;
    const ref = refs.get(id) ?? { scope, key, usedBy: [] };
    if (!ref.usedBy.includes(usedBy)) ref.usedBy.push(usedBy);
    refs.set(id, ref);
  };
  for (const [key, scope] of Object.entries(model.resources.secret_scopes)) {
    const name = String(interpolate(scope.settings.name, ctx, `resources.secret_scopes.${key}.name`));
    for (const secret of scope.keys) add(name, secret, `resources.secret_scopes.${key}`);
  }
  for (const [key, nb] of Object.entries(model.notebooks)) {
    for (const ref of Object.values(nb.secrets)) add(String(interpolate(ref.scope, ctx)), ref.key, `notebooks.${key}`);
  }
  return [...refs.values()].sort((a, b) => `${a.scope}/${a.key}`.localeCompare(`${b.scope}/${b.key}`));
}

export interface SecretCheckResult {
  present: SecretReference[];
  missing: SecretReference[];
  missingScopes: string[];
}

/** Lists the keys of each scope once and reports what is missing; throws a UserError if anything is. */
export async function checkSecrets(client: WorkspaceClient, refs: SecretReference[], sink: EventSink = silentSink): Promise<SecretCheckResult> {
  const result: SecretCheckResult = { present: [], missing: [], missingScopes: [] };
  const scopes = [...new Set(refs.map((r) => r.scope))];
  const keysByScope = new Map<string, Set<string> | undefined>();
  await Promise.all(
    scopes.map(async (scope) => {
      try {
        keysByScope.set(scope, new Set((await client.secrets.listSecrets(scope)).map((s) => String(s.key))));
      } catch (error) {
        if (!isNotFound(error)) throw error;
        keysByScope.set(scope, undefined);
      }
    }),
  );
  for (const ref of refs) {
    const keys = keysByScope.get(ref.scope);
    if (keys === undefined && !result.missingScopes.includes(ref.scope)) result.missingScopes.push(ref.scope);
    const ok = keys?.has(ref.key) === true;
    (ok ? result.present : result.missing).push(ref);
    sink({
      code: 'log',
      level: ok ? 'info' : 'error',
      message: `${ok ? 'ok     ' : 'missing'} ${ref.scope}/${ref.key}${ok ? '' : ` (used by ${ref.usedBy.join(', ')})`}`,
      data: { scope: ref.scope, key: ref.key, present: ok },
    });
  }
  if (result.missing.length > 0) {
    const scopeNote = result.missingScopes.length > 0 ? ` Scopes that do not exist: ${result.missingScopes.join(', ')} (dbx-ts deploy creates them).` : '';
    throw new UserError(
      `${result.missing.length} of ${refs.length} secret(s) the bundle refers to are missing.${scopeNote}`,
      'Add them with `dbx-ts secrets sync --from-keyvault <vault-url> --scope <scope>`, `databricks secrets put-secret`, or in the Key Vault behind a Key Vault-backed scope.',
    );
  }
  sink({ code: 'log', level: 'info', message: `All ${refs.length} secret(s) the bundle refers to exist.`, data: { count: refs.length } });
  return result;
}

// Secret references must name scopes the bundle declares: notebooks' secrets and `{{secrets/<scope>/<key>}}` strings
// in settings (Spark conf, pipeline configuration). Only names are handled here, never secret values.
import type { BundleModel } from '../model/types.ts';
import type { Reporter } from './locate.ts';
import { isInterpolated, secretNameProblem } from './names.ts';
import { modelTrees, walkStrings } from './walk.ts';

const SECRET_REFERENCE = /\{\{\s*secrets\/([^/{}]+)\/([^/{}]+?)\s*\}\}/g;

interface SecretUse {
  scope: string;
  key: string;
  path: string;
  what: string;
}

function secretUses(model: BundleModel): SecretUse[] {
  const uses: SecretUse[] = [];
  for (const [id, nb] of Object.entries(model.notebooks)) {
    for (const [name, ref] of Object.entries(nb.secrets)) {
      uses.push({ ...ref, path: `notebooks.${id}.secrets.${name}`, what: `Notebook "${id}" reads secret "${name}"` });
    }
  }
  for (const tree of modelTrees(model)) {
    walkStrings(tree.value, tree.path, (text, path) => {
      for (const m of text.matchAll(SECRET_REFERENCE)) {
        uses.push({ scope: m[1]!, key: m[2]!, path, what: `{{secrets/${m[1]!}/${m[2]!}}}` });
      }
    });
  }
  return uses;
}

export function checkSecrets(model: BundleModel, out: Reporter): void {
  const scopes = new Map(Object.values(model.resources.secret_scopes).map((s) => [s.settings.name, s]));
  const declared = [...scopes.keys()];
  // a scope named by `${var.x}` is known only at deploy time: any scope name might be it
  const someInterpolated = declared.some(isInterpolated);
  for (const use of secretUses(model)) {
    const keyProblem = secretNameProblem(use.key);
    if (keyProblem) out.report('error', use.path, `${use.what}: secret key "${use.key}" ${keyProblem}.`);
    if (isInterpolated(use.scope)) continue;
    const scope = scopes.get(use.scope);
    if (!scope && !someInterpolated) {
      out.report('error', use.path, `${use.what} from scope "${use.scope}", which the bundle does not declare${declared.length > 0 ? ` (declared: ${declared.join(', ')})` : ' (it declares no secret scopes)'}.`);
    } else if (scope && !scope.keys.includes(use.key)) {
      out.report('warning', use.path, `${use.what}: key "${use.key}" is not among the keys expected in scope "${use.scope}", so \`secrets check\` will not verify it; use scope.secret("${use.key}").`);
    }
  }
}

// `${var.x}` and `${resources.<kind>.<key>.<field>}` references anywhere in the model: the variable must be
// declared and the resource must be part of the bundle (the Databricks CLI fails at deploy time otherwise).
import type { BundleModel } from '../model/types.ts';
import { verbatimResources } from '../model/verbatim.ts';
import type { Reporter } from './locate.ts';
import { modelTrees, walkStrings } from './walk.ts';

const REFERENCE = /\$\{([^${}]+)\}/g;

export interface Reference {
  /** The text inside `${...}`, e.g. `var.catalog` or `resources.pipelines.p.id`. */
  expression: string;
  path: string;
}

export function references(model: BundleModel): Reference[] {
  const found: Reference[] = [];
  for (const tree of modelTrees(model)) {
    walkStrings(tree.value, tree.path, (text, path) => {
      for (const m of text.matchAll(REFERENCE)) found.push({ expression: m[1]!.trim(), path });
    });
  }
  return found;
}

function checkVariable(model: BundleModel, ref: Reference, out: Reporter): void {
  const name = /^var\.([^.[\]]+)/.exec(ref.expression)?.[1];
  if (name === undefined || name in model.variables) return;
  const declared = Object.keys(model.variables);
  out.report('error', ref.path, `Variable "${name}" (in \${${ref.expression}}) is not declared in the bundle's variables${declared.length > 0 ? ` (declared: ${declared.join(', ')})` : ''}.`);
}

function checkResource(model: BundleModel, ref: Reference, out: Reporter): void {
  const m = /^resources\.([^.[\]]+)\.([^.[\]]+)/.exec(ref.expression);
  if (!m) {
    if (ref.expression.startsWith('resources.')) out.report('error', ref.path, `\${${ref.expression}} must name a resource: \${resources.<kind>.<key>.<field>}.`);
    return;
  }
  const kind = m[1]!;
  const key = m[2]!;
  const resources = model.resources as unknown as Record<string, Record<string, unknown> | undefined>;
  const ofKind = resources[kind];
  if (ofKind && key in ofKind) return;
  if (verbatimResources(model).some((r) => r.type === kind && r.key === key)) return;
  const why = ofKind ? `the bundle has no ${kind} "${key}"` : `the bundle defines no resources of kind "${kind}"`;
  out.report('error', ref.path, `\${${ref.expression}} refers to a resource that is not in the bundle: ${why}.`);
}

export function checkInterpolations(model: BundleModel, out: Reporter): void {
  for (const ref of references(model)) {
    if (ref.expression.startsWith('var.')) checkVariable(model, ref, out);
    else if (ref.expression.startsWith('resources.')) checkResource(model, ref, out);
  }
}

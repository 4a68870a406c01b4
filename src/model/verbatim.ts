// The resources a bundle declares through Bundle.verbatim, on the model's target: built into the bundle as
// written, never deployed by dbx-ts, but real resources that others may refer to.
import type { BundleModel } from './types.ts';

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function verbatimResources(model: BundleModel): { type: string; key: string }[] {
  const out: { type: string; key: string }[] = [];
  for (const fragment of model.verbatim ?? []) {
    const target = isMap(fragment['targets']) ? fragment['targets'][model.target.name] : undefined;
    for (const section of [fragment['resources'], isMap(target) ? target['resources'] : undefined]) {
      if (!isMap(section)) continue;
      for (const [type, entries] of Object.entries(section)) {
        if (isMap(entries)) for (const key of Object.keys(entries)) if (!out.some((r) => r.type === type && r.key === key)) out.push({ type, key });
      }
    }
  }
  return out;
}

// A local run skips its deploy only when both the bundle and the workspace state are as the last deploy left them.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bundle, resolve, Schema } from '../../src/index.ts';
import { bundleFingerprint, readDeployRecord, workspaceFingerprint, writeDeployRecord } from '../../src/local/deploy-record.ts';
import type { BundleModel } from '../../src/model/types.ts';

function model(comment: string): BundleModel {
  const b = new Bundle({ name: 'b', targets: { local: { default: true, local: true } } });
  new Schema(b, 'mart', { catalog: 'shop', comment });
  return resolve(b).model;
}

describe('local deploy record', () => {
  it('fingerprints what is deployed, not where it was defined', () => {
    const files = [{ path: 'databricks.yml', content: 'bundle: {}' }];
    const m = model('sales');
    const moved = structuredClone(m);
    for (const loc of Object.values(moved.locations)) loc.file = `/elsewhere/${loc.file}`;
    expect(Object.keys(m.locations).length).toBeGreaterThan(0);
    expect(bundleFingerprint(moved, files)).toBe(bundleFingerprint(m, files));
    expect(bundleFingerprint(model('other'), files)).not.toBe(bundleFingerprint(m, files));
    expect(bundleFingerprint(m, [{ path: 'databricks.yml', content: 'bundle: { x: 1 }' }])).not.toBe(bundleFingerprint(m, files));
  });

  it('fingerprints the workspace state by content, and an absent state as such', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbx-deploy-record-'));
    const ws = join(dir, 'workspace');
    expect(await workspaceFingerprint(ws)).toBe('absent');
    await mkdir(join(ws, 'blobs'), { recursive: true });
    await writeFile(join(ws, 'state.json'), '{"a":1}');
    const first = await workspaceFingerprint(ws);
    expect(await workspaceFingerprint(ws)).toBe(first);
    await writeFile(join(ws, 'state.json'), '{"a":2}');
    expect(await workspaceFingerprint(ws)).not.toBe(first);
    await writeFile(join(ws, 'state.json'), '{"a":1}');
    await writeFile(join(ws, 'blobs', 'x'), 'x');
    expect(await workspaceFingerprint(ws)).not.toBe(first);

    expect(await readDeployRecord(dir)).toBeUndefined();
    await writeDeployRecord(dir, { bundle: 'b1', workspace: first });
    expect(await readDeployRecord(dir)).toEqual({ bundle: 'b1', workspace: first });
  });
});

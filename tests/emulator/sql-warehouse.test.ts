// The SQL warehouse endpoint, reached by the real @databricks/sql driver over TLS on the workspace's own port
// (REST stays plain http there): sessions, named parameters, column types, errors.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DBSQLClient } from '@databricks/sql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeWorkspace, startFakeWorkspace } from '../../src/emulator/index.ts';
import { localCertificate } from '../../src/emulator/sql/certificate.ts';

let ws: FakeWorkspace;
const seen: { statement: string; params: Record<string, unknown>; session: object }[] = [];
beforeEach(async () => {
  seen.length = 0;
  ws = await startFakeWorkspace({
    tls: await localCertificate(await mkdtemp(join(tmpdir(), 'emu-tls-'))),
    warehouseBackend: {
      async execute(statement, params, session) {
        seen.push({ statement, params, session });
        if (statement.includes('boom')) throw new Error('Table or view not found: boom');
        return { columns: [{ name: 'n', type: 'BIGINT' }, { name: 's', type: 'VARCHAR' }, { name: 'd', type: 'DECIMAL(10,2)' }, { name: 'b', type: 'BOOLEAN' }], rows: [[42, 'hi', '1.50', true], [null, null, null, null]] };
      },
    },
  });
});
afterEach(async () => {
  await ws.close();
});

describe('SQL warehouse endpoint', () => {
  it('answers the real driver over TLS on the REST port', async () => {
    expect((await fetch(`${ws.url}/api/2.0/preview/scim/v2/Me`, { headers: { authorization: `Bearer ${ws.token}` } })).status).toBe(200);
    const url = new URL(ws.url);
    const client = new DBSQLClient({ logger: { log: () => {} } as never });
    await client.connect({ host: url.hostname, port: Number(url.port), path: '/sql/1.0/warehouses/local', token: ws.token, telemetryEnabled: false } as never);
    const session = await client.openSession({ initialCatalog: 'sales', initialSchema: 'gold' });
    const op = await session.executeStatement('SELECT :x', { namedParameters: { x: 5 } } as never);
    expect(await op.fetchAll()).toEqual([{ n: 42, s: 'hi', d: 1.5, b: true }, { n: null, s: null, d: null, b: null }]);
    await op.close();
    expect(seen[0]).toMatchObject({ statement: 'SELECT :x', params: { x: 5 }, session: { catalog: 'sales', schema: 'gold' } });
    await expect(session.executeStatement('SELECT * FROM boom').then((o) => o.fetchAll())).rejects.toThrow(/boom/);
    await session.close();
    await client.close();
  });

  it('keeps the certificate of a state directory across starts, with the key readable by the owner only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emu-tls-'));
    const first = await localCertificate(dir);
    expect(first.cert).toMatch(/BEGIN CERTIFICATE/);
    expect(new X509Certificate(first.cert).checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect((await localCertificate(dir)).cert).toBe(first.cert);
    expect((await stat(join(dir, 'tls', 'key.pem'))).mode & 0o777).toBe(0o600);
  });
});

// The deploy lock cannot strand a team: release is retried, a dead holder on this host or a stale heartbeat is
// taken over with a notice, a live holder is named (never a raw status), and --force-lock still takes over.
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, lockPath, STALE_AFTER_MS, type LockHolder, type LockOptions } from '../../src/deploy/lock.ts';
import { bundlePaths } from '../../src/deploy/presets.ts';
import { UserError } from '../../src/errors/index.ts';
import { recordingSink } from '../../src/events/types.ts';
import { DEFAULT_USER, faults } from '../../src/emulator/index.ts';
import { fakeWorkspace, type FakeSetup } from './fake.ts';

const paths = bundlePaths({ bundle: 'shop', target: 'dev', userName: DEFAULT_USER.userName });
const PATH = lockPath(paths);
const stored = PATH.replace(/^\/Workspace/, '');
let setup: FakeSetup | undefined;

afterEach(async () => {
  await setup?.ws.close();
  setup = undefined;
});

/** Options with no real timer: heartbeats happen when the test calls them. */
function opts(s: FakeSetup, extra: Partial<LockOptions> = {}): LockOptions {
  return { client: s.client, paths, user: 'me@example.com', every: () => () => {}, ...extra };
}

async function held(s: FakeSetup): Promise<LockHolder | undefined> {
  const object = s.ws.state.objects[stored];
  if (!object) return undefined;
  const exported = await s.client.workspace.export({ path: PATH, format: 'AUTO' });
  return JSON.parse(Buffer.from(exported.content ?? '', 'base64').toString('utf8')) as LockHolder;
}

/** A lock file as another deploy would have left it. */
async function plant(s: FakeSetup, holder: Partial<LockHolder>): Promise<void> {
  const stamp = new Date().toISOString();
  const full: LockHolder = { id: 'other', user: 'bob@example.com', host: 'build-agent-7', pid: 4242, acquired_at: stamp, heartbeat_at: stamp, ...holder };
  await s.client.workspace.mkdirs({ path: paths.state });
  await s.client.workspace.import({ path: PATH, content: Buffer.from(JSON.stringify(full)), format: 'RAW', overwrite: true });
}

describe('the deploy lock', () => {
  it('records host, pid, start time and a heartbeat, which the holder renews', async () => {
    setup = await fakeWorkspace();
    let now = new Date('2025-03-01T10:00:00Z');
    let tick: () => void = () => {};
    const lock = await acquireLock(opts(setup, { host: 'laptop', now: () => now, every: (_ms, t) => ((tick = t), () => {}) }));
    expect(await held(setup)).toEqual({ id: lock.holder.id, user: 'me@example.com', host: 'laptop', pid: process.pid, acquired_at: '2025-03-01T10:00:00.000Z', heartbeat_at: '2025-03-01T10:00:00.000Z' });
    now = new Date('2025-03-01T10:04:00Z');
    await lock.heartbeat();
    expect(await held(setup)).toMatchObject({ acquired_at: '2025-03-01T10:00:00.000Z', heartbeat_at: '2025-03-01T10:04:00.000Z' });
    // The timer drives the same renewal.
    now = new Date('2025-03-01T10:04:30Z');
    tick();
    await lock.release();
    expect(setup.ws.state.objects[stored]).toBeUndefined();
  });

  it('retries the release when the workspace fails it, so no lock is left behind', async () => {
    setup = await fakeWorkspace();
    const lock = await acquireLock(opts(setup));
    setup.ws.setFaults({
      rules: [
        { match: 'POST /api/2.0/workspace/delete', fault: { kind: 'status', status: 500 } },
        { match: 'GET /api/2.0/workspace/export', fault: faults.lostResponse('status502') },
      ],
    });
    await lock.release();
    expect(setup.ws.state.objects[stored]).toBeUndefined();
    expect(setup.ws.requests.filter((r) => r.fault).length).toBe(2);
  });

  it('names a live holder, never a raw status', async () => {
    setup = await fakeWorkspace();
    await plant(setup, { host: 'build-agent-7' });
    const error = await acquireLock(opts(setup)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/held by bob@example\.com on build-agent-7 \(pid 4242\) since \d{4}-/);
    expect((error as UserError).hint).toContain('--force-lock');
  });

  it('takes over the lock of a dead process on this host, with a notice', async () => {
    setup = await fakeWorkspace();
    await plant(setup, { host: 'laptop', pid: 999_999 });
    const sink = recordingSink();
    const lock = await acquireLock(opts(setup, { host: 'laptop', isAlive: (pid) => pid !== 999_999, events: sink }));
    expect((await held(setup))?.id).toBe(lock.holder.id);
    const notice = sink.events.find((e) => e.code === 'deploy.lock');
    expect(notice).toMatchObject({ level: 'warn', data: { action: 'takeover' } });
    expect(notice?.message).toContain('Taking over the deploy lock of bob@example.com on laptop (pid 999999)');
    expect(notice?.message).toContain('its process 999999 on laptop is no longer running');
  });

  it('does not judge a pid of another host, but takes over once its heartbeat is stale', async () => {
    setup = await fakeWorkspace();
    const old = new Date(Date.now() - STALE_AFTER_MS + 60_000).toISOString();
    await plant(setup, { host: 'build-agent-7', pid: 999_999, acquired_at: old, heartbeat_at: old });
    await expect(acquireLock(opts(setup, { host: 'laptop', isAlive: () => false }))).rejects.toBeInstanceOf(UserError);

    const stale = new Date(Date.now() - STALE_AFTER_MS - 60_000).toISOString();
    await plant(setup, { host: 'build-agent-7', pid: 999_999, acquired_at: stale, heartbeat_at: stale });
    const sink = recordingSink();
    const lock = await acquireLock(opts(setup, { host: 'laptop', events: sink }));
    expect((await held(setup))?.id).toBe(lock.holder.id);
    expect(sink.events.find((e) => e.code === 'deploy.lock')?.message).toMatch(/its last heartbeat was 6 min ago \(stale after 5 min\)/);
  });

  it('takes over any lock with --force-lock, and the old holder then leaves it alone', async () => {
    setup = await fakeWorkspace();
    const sink = recordingSink();
    const first = await acquireLock(opts(setup, { events: sink }));
    const second = await acquireLock(opts(setup, { force: true }));
    await first.heartbeat();
    await first.release();
    expect((await held(setup))?.id).toBe(second.holder.id);
    expect(sink.events.filter((e) => e.code === 'deploy.lock').map((e) => e.data)).toMatchObject([{ action: 'lost' }]);
    await second.release();
    expect(setup.ws.state.objects[stored]).toBeUndefined();
  });

  it('lets exactly one of two racing deploys win, and names the winner to the other', async () => {
    for (let round = 0; round < 5; round++) {
      setup = await fakeWorkspace();
      const results = await Promise.allSettled([acquireLock(opts(setup, { user: 'ann@example.com' })), acquireLock(opts(setup, { user: 'bob@example.com' }))]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(UserError);
      expect(String((lost[0]?.reason as Error).message)).toMatch(/held by (ann|bob)@example\.com/);
      await setup.ws.close();
      setup = undefined;
    }
  });

  it('lets exactly one of two deploys racing for a stale lock take it over', async () => {
    setup = await fakeWorkspace();
    await plant(setup, { host: 'laptop', pid: 999_999 });
    const dead = { host: 'laptop', isAlive: (pid: number) => pid !== 999_999 };
    const results = await Promise.allSettled([acquireLock(opts(setup, { ...dead, user: 'ann@example.com' })), acquireLock(opts(setup, { ...dead, user: 'bob@example.com' }))]);
    const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>> => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect((await held(setup))?.id).toBe(won[0]!.value.holder.id);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(lost?.reason).toBeInstanceOf(UserError);
  });

  it('creates the state folder on a first deploy even after attempts whose outcome was unknown', async () => {
    setup = await fakeWorkspace();
    // Two 500s on the create (outcome unknown, nothing there when we look), then the missing folder.
    setup.ws.setFaults({ rules: [{ match: 'POST /api/2.0/workspace/import', fault: { kind: 'status', status: 500 }, times: 2 }] });
    const lock = await acquireLock(opts(setup));
    expect((await held(setup))?.id).toBe(lock.holder.id);
  });

  it('takes the lock when its holder released it between our attempt and our look', async () => {
    setup = await fakeWorkspace();
    await setup.client.workspace.mkdirs({ path: paths.state });
    // Refused as existing, but gone by the time we read who holds it.
    setup.ws.setFaults({ rules: [{ match: 'POST /api/2.0/workspace/import', fault: { kind: 'status', status: 400, errorCode: 'RESOURCE_ALREADY_EXISTS' } }] });
    const lock = await acquireLock(opts(setup));
    expect((await held(setup))?.id).toBe(lock.holder.id);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, scanAll, startChildStack, stopChildStack, until, type ChildStack, type Reply } from './childStack.js';

/**
 * Issue 5 on the local stack, over HTTP only (the store is read to show what
 * is gone): a 5-second expiry swept every second, scheduled starts, the
 * maintenance window setting, paged events.
 */
let stack: ChildStack;
let dataDir: string;
const api = (method: string, path: string, body?: unknown): Promise<Reply> => call(stack.url, method, path, body);
const upgradeOf = (id: string) => api('GET', `/clusters/demo/upgrades/${id}`).then((r) => r.body);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kupgrade-e2e-expiry-'));
  stack = await startChildStack(dataDir, { UPGRADE_EXPIRY_SECONDS: '5', SWEEP_SECONDS: '1', KUPGRADE_DEMO_UPGRADE_SECONDS: '0.3' });
}, 90_000);

afterAll(async () => {
  await stopChildStack(stack);
  await rm(dataDir, { recursive: true, force: true });
});

describe('the local stack with UPGRADE_EXPIRY_SECONDS=5 and SWEEP_SECONDS=1', () => {
  it('keeps a paused upgrade paused before 5 s, then expires it at the next sweep: events gone, cluster free', async () => {
    const started = await api('POST', '/clusters/demo/upgrades', { targetVersion: '1.32.6' });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    await until(
      () => upgradeOf(id),
      (u) => u.phase === 'nodes' && u.batches.length >= 1,
    );
    expect((await api('POST', `/clusters/demo/upgrades/${id}/pause`)).status).toBe(202);
    const paused = await until(
      () => upgradeOf(id),
      (u) => u.status === 'paused',
    );
    const pausedAt = Date.parse(paused.pausedAt);
    expect(Date.parse(paused.expiresAt) - pausedAt).toBeGreaterThanOrEqual(5000);
    expect(Date.parse(paused.expiresAt) - pausedAt).toBeLessThan(6000);

    // events exist, and page with a cursor
    const first = await api('GET', `/clusters/demo/upgrades/${id}/events?limit=3`);
    expect(first.body.events).toHaveLength(3);
    const second = await api('GET', `/clusters/demo/upgrades/${id}/events?limit=3&cursor=${first.body.nextCursor}`);
    expect(second.body.events[0].at >= first.body.events[2].at).toBe(true);
    expect(second.body.events).not.toContainEqual(first.body.events[2]);

    // still paused well before its expiry, across several sweeps
    await new Promise((r) => setTimeout(r, Math.max(0, pausedAt + 3000 - Date.now())));
    expect((await upgradeOf(id)).status).toBe('paused');

    // no read shows it live once its expiry has passed, even before the sweeper closes it
    const expired = await until(
      () => upgradeOf(id),
      (u) => u.status === 'expired',
      20_000,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(pausedAt + 5000);
    expect(expired.phase).toBe('done');
    expect((await api('GET', `/clusters/demo/upgrades/${id}/events`)).body.events).toEqual([]);
    // the next sweep closes it for good: its event items are deleted
    const eventItems = async () => (await scanAll(stack.db)).filter((i) => i.pk === `UPGRADE#${id}` && String(i.sk).startsWith('EVENT#'));
    expect(await until(eventItems, (items) => items.length === 0, 10_000)).toEqual([]);
    expect(stack.output()).toContain(`${id} paused → expired`);

    const cluster = (await api('GET', '/clusters/demo')).body;
    expect(cluster.upgrade).toBeNull();
    const next = await api('POST', '/clusters/demo/upgrades', { targetVersion: '1.32.6', startAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(next.status).toBe(202);
    expect(next.body).toMatchObject({ status: 'scheduled', scheduledAt: expect.any(String) });

    // a scheduled upgrade holds the cluster until it is cancelled
    expect((await api('POST', '/clusters/demo/upgrades', { targetVersion: '1.32.6' })).status).toBe(409);
    const cancelled = await api('POST', `/clusters/demo/upgrades/${next.body.id}/cancel`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', phase: 'done' });
    expect((await api('GET', '/clusters/demo')).body.upgrade).toBeNull();
  }, 120_000);

  it('refuses a start time in the past and a bad window, and stores a good window', async () => {
    const before = await scanAll(stack.db);
    const past = await api('POST', '/clusters/demo/upgrades', { targetVersion: '1.32.6', startAt: '2020-01-01T00:00:00Z' });
    expect([past.status, past.body.error.code]).toEqual([400, 'InvalidRequest']);
    const bad = await api('PUT', '/clusters/demo/maintenance-window', {
      maintenanceWindow: { days: ['someday'], start: '25:00', end: '01:00', timeZone: 'UTC' },
    });
    expect(bad.status).toBe(400);
    expect(await scanAll(stack.db)).toEqual(before);

    const window = { days: ['sat', 'sun'], start: '01:00', end: '05:00', timeZone: 'Europe/Paris' };
    const set = await api('PUT', '/clusters/demo/maintenance-window', { maintenanceWindow: window });
    expect(set.status).toBe(200);
    expect(set.body.maintenanceWindow).toEqual(window);
    expect((await api('PUT', '/clusters/demo/maintenance-window', { maintenanceWindow: null })).body.maintenanceWindow).toBeNull();
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore } from '../../test/harness.js';
import type { MonitorStore } from './monitor-store.js';
import { monitorsKind } from './monitors-kind.js';
import { receiver, storedAlert } from './test-webhook.js';
import { WebhookDeliverer, type DeliveryReport } from './webhook.js';

/**
 * The store as a process killed mid-post leaves it: every write up to `kill()` goes through, none
 * after (they never finish), so what the deliverer records once its post is out is lost.
 */
function killable(store: MonitorStore) {
  let dead = false;
  const monitors = new Proxy(store, {
    get(target, name) {
      const v = Reflect.get(target, name, target) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => (dead ? new Promise(() => {}) : (v as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  return { monitors, kill: () => (dead = true) };
}

describe('alert webhook: an attempt cut off by the process dying (kill -9 mid-post)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const dbPath = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tact-webhook-crash-'));
    dirs.push(dir);
    return join(dir, 'tact.db');
  };

  it('is counted in `attempts` after the restart — recorded as started before the post went out — and the notice is retried after its lease', async () => {
    const path = dbPath();
    let { store, cleanup } = await openTestStore('sqlite', path);
    // The first post is taken and never answered: the process dies while it is out.
    const hook = await receiver((_req, res) => (hook.posts.length === 1 ? crashed.kill() : res.end()));
    const crashed = killable(store.monitors);
    try {
      const alert = await storedAlert(store);
      const settings = monitorsKind.compile({ webhook: { url: hook.url, timeout: '5s' } });
      void new WebhookDeliverer(crashed.monitors, () => settings, () => alert.raisedAt).deliverDue();
      await expect.poll(() => hook.posts.length).toBe(1);
      await cleanup();
      ({ store, cleanup } = await openTestStore('sqlite', path));
      const after = (await store.monitors.getAlert(alert.id))!.delivery;
      // Still leased (2 × timeout + 1 s), and its result unknown, as the alert says.
      expect(after).toEqual({ state: 'pending', attempts: 1, nextAttemptAt: alert.raisedAt + 11_000, lastError: expect.stringMatching(/^attempt 1 \(started .*\) has no recorded result: the process making it stopped during it/), deliveredAt: null });
      // The restarted process takes it once the lease has run out: its attempt is the second.
      let now = alert.raisedAt + 10_999;
      const reports: DeliveryReport[] = [];
      const d = new WebhookDeliverer(store.monitors, () => settings, () => now, (r) => reports.push(r));
      expect(await d.deliverDue()).toBe(0);
      now += 1;
      expect(await d.deliverDue()).toBe(1);
      expect(hook.posts.map((p) => p.headers['x-tact-event'])).toEqual([`${alert.id}:raised:0`, `${alert.id}:raised:0`]);
      expect(reports.map((r) => [r.result, r.attempts])).toEqual([['delivered', 2]]);
      expect((await store.monitors.getAlert(alert.id))!.delivery).toEqual({ state: 'delivered', attempts: 2, nextAttemptAt: null, lastError: null, deliveredAt: now });
    } finally {
      await hook.close();
      await cleanup();
    }
  });

  it('when it was the last allowed (`maxAttempts`) is given up after the restart, not made once more: the count is a bound', async () => {
    const path = dbPath();
    let { store, cleanup } = await openTestStore('sqlite', path);
    const hook = await receiver(() => crashed.kill());
    const crashed = killable(store.monitors);
    try {
      const alert = await storedAlert(store);
      const settings = monitorsKind.compile({ webhook: { url: hook.url, maxAttempts: 1, timeout: '5s' } });
      void new WebhookDeliverer(crashed.monitors, () => settings, () => alert.raisedAt).deliverDue();
      await expect.poll(() => hook.posts.length).toBe(1);
      await cleanup();
      ({ store, cleanup } = await openTestStore('sqlite', path));
      const reports: DeliveryReport[] = [];
      const d = new WebhookDeliverer(store.monitors, () => settings, () => alert.raisedAt + 11_000, (r) => reports.push(r));
      expect(await d.deliverDue()).toBe(1);
      expect(hook.posts).toHaveLength(1);
      expect(reports.map((r) => [r.result, r.attempts])).toEqual([['failed', 1]]);
      expect((await store.monitors.getAlert(alert.id))!.delivery).toEqual({ state: 'failed', attempts: 1, nextAttemptAt: null, lastError: expect.stringMatching(/^attempt 1 .* has no recorded result/), deliveredAt: null });
      expect(await d.deliverDue()).toBe(0);
    } finally {
      await hook.close();
      await cleanup();
    }
  });
});

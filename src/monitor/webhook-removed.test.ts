import { describe, expect, it } from 'vitest';
import { openTestStore } from '../../test/harness.js';
import { alertView } from './alerts.js';
import type { MonitorsSettings } from './monitors-kind.js';
import { monitorsKind } from './monitors-kind.js';
import { receiver, storedAlert } from './test-webhook.js';
import { WebhookDeliverer } from './webhook.js';

const H = 3_600_000;

describe('alert webhook removed from the configuration while notices are pending', () => {
  it('withdraws them — shown undelivered (`none`, saying why) — and does not send them hours later when a webhook is set again', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    // The receiver is down for the first attempt.
    const hook = await receiver((_req, res) => res.writeHead(hook.posts.length === 1 ? 503 : 200).end());
    try {
      const alert = await storedAlert(store);
      let now = alert.raisedAt;
      let settings: MonitorsSettings = monitorsKind.compile({ webhook: { url: hook.url } });
      const d = new WebhookDeliverer(store.monitors, () => settings, () => now, undefined, { random: () => 0 });
      expect(await d.deliverDue()).toBe(1);
      expect((await store.monitors.getAlert(alert.id))!.delivery).toMatchObject({ state: 'pending', attempts: 1, lastError: 'the webhook answered 503' });
      // The operator takes the webhook out before the retry (due in 0.5 s) falls due.
      settings = monitorsKind.compile({});
      now += 100;
      expect(await d.deliverDue()).toBe(0);
      const withdrawn = alertView((await store.monitors.getAlert(alert.id))!).delivery;
      expect(withdrawn).toEqual({ state: 'none', attempts: 1, deliveredAt: null, lastError: expect.stringMatching(/^not sent: the webhook was removed from the monitors configuration \(noticed at .*\) before it was delivered \(1 attempt made; the last: the webhook answered 503\)$/) });
      // Five hours later a webhook is set again: the five-hour-old raise is not posted as if it were news.
      settings = monitorsKind.compile({ webhook: { url: hook.url } });
      now += 5 * H;
      expect(await d.deliverDue()).toBe(0);
      expect(hook.posts).toHaveLength(1);
      // Nor is a lonely "resolved" when it recovers: the receiver never heard of its raise.
      expect(await store.monitors.commitStep({ expectedVersion: 1, at: now, tracks: {}, upsert: [], remove: [], raised: [], resolved: [alert.id], notify: true })).toBe(true);
      expect((await store.monitors.getAlert(alert.id))!.resolvedDelivery).toMatchObject({ state: 'none' });
      expect(await d.deliverDue()).toBe(0);
      expect(hook.posts).toHaveLength(1);
    } finally {
      await hook.close();
      await cleanup();
    }
  });

  it('withdraws a pending resolution the same way (the raise was delivered): no "resolved" posted later, out of its time', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const hook = await receiver((_req, res) => res.end());
    try {
      const alert = await storedAlert(store);
      let now = alert.raisedAt;
      let settings: MonitorsSettings = monitorsKind.compile({ webhook: { url: hook.url } });
      const d = new WebhookDeliverer(store.monitors, () => settings, () => now);
      expect(await d.deliverDue()).toBe(1);
      now += H;
      expect(await store.monitors.commitStep({ expectedVersion: 1, at: now, tracks: {}, upsert: [], remove: [], raised: [], resolved: [alert.id], notify: true })).toBe(true);
      settings = monitorsKind.compile({});
      expect(await d.deliverDue()).toBe(0);
      const view = alertView((await store.monitors.getAlert(alert.id))!);
      expect(view.delivery).toMatchObject({ state: 'delivered', attempts: 1 });
      expect(view.resolvedDelivery).toEqual({ state: 'none', attempts: 0, deliveredAt: null, lastError: expect.stringMatching(/^not sent: the webhook was removed/) });
      settings = monitorsKind.compile({ webhook: { url: hook.url } });
      now += 5 * H;
      expect(await d.deliverDue()).toBe(0);
      expect(hook.types()).toEqual(['tact.alert']);
    } finally {
      await hook.close();
      await cleanup();
    }
  });
});

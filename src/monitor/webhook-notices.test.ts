import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openTestStore } from '../../test/harness.js';
import { alertView } from './alerts.js';
import type { AlertObservation, StoredAlert } from './monitor-store.js';
import { monitorsKind } from './monitors-kind.js';
import { receiver, storedAlert } from './test-webhook.js';
import { WebhookDeliverer } from './webhook.js';

const H = 3_600_000;
type TestStore = Awaited<ReturnType<typeof openTestStore>>['store'];

/** Commits a step (from `version`) that resolves the alert at `at`, with a webhook configured. */
const resolve = (store: TestStore, version: number, id: string, at: number) =>
  store.monitors.commitStep({ expectedVersion: version, at, tracks: {}, upsert: [], remove: [], raised: [], resolved: [id], notify: true });

/** Commits a step (from `version`) in which a relapse reopens the alert at `at`, with a webhook configured. */
const reopen = (store: TestStore, version: number, a: StoredAlert, at: number) => {
  const seen: AlertObservation = { direction: 'high', observed: 0.3, expected: a.expected, pValue: 1e-9, evidence: a.evidence, message: 'It is back.', examples: a.examples };
  return store.monitors.commitStep({ expectedVersion: version, at, tracks: {}, upsert: [], remove: [], raised: [], resolved: [], reopened: [{ id: a.id, at, seen }], notify: true });
};

describe('alert webhook: the recovery notice', () => {
  it('is posted as tact.alert.resolved, after the raise, signed and with the alert\'s id; the alert shows its delivery', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const hook = await receiver((_req, res) => res.end());
    try {
      const alert = await storedAlert(store);
      let now = alert.raisedAt;
      const settings = monitorsKind.compile({ webhook: { url: hook.url, secret: 's3cr3t' } });
      const d = new WebhookDeliverer(store.monitors, () => settings, () => now);
      expect(await d.deliverDue()).toBe(1);
      now += H;
      expect(await resolve(store, 1, alert.id, now)).toBe(true);
      expect(alertView((await store.monitors.getAlert(alert.id))!).resolvedDelivery).toEqual({ state: 'pending', attempts: 0, lastError: null, deliveredAt: null });
      expect(await d.deliverDue()).toBe(1);
      expect(hook.types()).toEqual(['tact.alert', 'tact.alert.resolved']);
      const [raised, resolved] = hook.posts;
      expect(resolved.headers).toMatchObject({ 'content-type': 'application/json', 'x-tact-alert': alert.id, 'x-tact-event': `${alert.id}:resolved:0` });
      expect(raised.headers['x-tact-event']).toBe(`${alert.id}:raised:0`);
      expect(resolved.headers['x-tact-signature']).toBe(`sha256=${createHmac('sha256', 's3cr3t').update(resolved.body).digest('hex')}`);
      const body = JSON.parse(resolved.body);
      expect(body.alert).toMatchObject({ id: alert.id, status: 'resolved', resolvedAt: new Date(now).toISOString() });
      expect(body.alert.delivery).toBeUndefined();
      expect(body.alert.resolvedDelivery).toBeUndefined();
      const view = alertView((await store.monitors.getAlert(alert.id))!);
      expect(view.delivery).toMatchObject({ state: 'delivered', attempts: 1 });
      expect(view.resolvedDelivery).toEqual({ state: 'delivered', attempts: 1, lastError: null, deliveredAt: new Date(now).toISOString() });
      expect(await d.deliverDue()).toBe(0);
    } finally {
      await hook.close();
      await cleanup();
    }
  });

  it('of an alert whose raise is still being retried waits for it: the receiver hears raised, then resolved', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const hook = await receiver((_req, res) => res.writeHead(hook.posts.length === 1 ? 503 : 200).end());
    try {
      const alert = await storedAlert(store);
      let now = alert.raisedAt;
      const settings = monitorsKind.compile({ webhook: { url: hook.url, backoff: '1s' } });
      const d = new WebhookDeliverer(store.monitors, () => settings, () => now, undefined, { random: () => 1 });
      expect(await d.deliverDue()).toBe(1);
      expect(await resolve(store, 1, alert.id, now)).toBe(true);
      // The raise waits out its backoff, and the recovery waits for the raise.
      expect(await d.deliverDue()).toBe(0);
      now += 1_000;
      expect(await d.deliverDue()).toBe(1);
      expect(await d.deliverDue()).toBe(1);
      expect(hook.types()).toEqual(['tact.alert', 'tact.alert', 'tact.alert.resolved']);
      expect(await store.monitors.getAlert(alert.id)).toMatchObject({ delivery: { state: 'delivered', attempts: 2 }, resolvedDelivery: { state: 'delivered', attempts: 1 } });
    } finally {
      await hook.close();
      await cleanup();
    }
  });

  it('of an alert whose raise was given up is sent after the raise, both in order, and is retried and given up like a raise', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    let up = false;
    const hook = await receiver((_req, res) => res.writeHead(up ? 200 : 503).end());
    try {
      const alert = await storedAlert(store);
      let now = alert.raisedAt;
      const settings = monitorsKind.compile({ webhook: { url: hook.url, maxAttempts: 1 } });
      const d = new WebhookDeliverer(store.monitors, () => settings, () => now);
      expect(await d.deliverDue()).toBe(1);
      expect((await store.monitors.getAlert(alert.id))?.delivery.state).toBe('failed');
      now += H;
      expect(await resolve(store, 1, alert.id, now)).toBe(true);
      // Still down: the raise fails again within the recovery's attempt, which is given up (maxAttempts 1), nothing "resolved" sent.
      expect(await d.deliverDue()).toBe(1);
      expect(hook.types()).toEqual(['tact.alert', 'tact.alert']);
      let stored = await store.monitors.getAlert(alert.id);
      expect(stored?.resolvedDelivery).toMatchObject({ state: 'failed', attempts: 1, lastError: 'the raise, sent first: the webhook answered 503' });
      expect(stored?.delivery).toMatchObject({ state: 'failed', attempts: 2, lastError: 'the webhook answered 503' });
      expect(await d.deliverDue()).toBe(0);

      // Resolved again after a reopening, with the receiver back: raise (as a reopening), then recovery.
      up = true;
      expect(await reopen(store, 2, alert, now + H)).toBe(true);
      expect(await resolve(store, 3, alert.id, now + H)).toBe(true);
      now += H;
      const two = await store.monitors.getAlert(alert.id);
      expect(two?.delivery).toMatchObject({ state: 'pending', attempts: 0 });
      expect(await d.deliverDue()).toBe(1);
      expect(await d.deliverDue()).toBe(1);
      expect(hook.types().slice(2)).toEqual(['tact.alert.reopened', 'tact.alert.resolved']);
      stored = await store.monitors.getAlert(alert.id);
      expect([stored?.delivery.state, stored?.resolvedDelivery?.state]).toEqual(['delivered', 'delivered']);
    } finally {
      await hook.close();
      await cleanup();
    }
  });

  it('of a raise given up goes with the raise first when the receiver is back: raise, then recovery, in one attempt', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    let up = false;
    const hook = await receiver((_req, res) => res.writeHead(up ? 200 : 503).end());
    try {
      const alert = await storedAlert(store);
      let now = alert.raisedAt;
      const settings = monitorsKind.compile({ webhook: { url: hook.url, maxAttempts: 1 } });
      const d = new WebhookDeliverer(store.monitors, () => settings, () => now);
      expect(await d.deliverDue()).toBe(1);
      up = true;
      now += H;
      expect(await resolve(store, 1, alert.id, now)).toBe(true);
      expect(await d.deliverDue()).toBe(1);
      expect(hook.types()).toEqual(['tact.alert', 'tact.alert', 'tact.alert.resolved']);
      expect(await store.monitors.getAlert(alert.id)).toMatchObject({ delivery: { state: 'delivered', attempts: 2, deliveredAt: now }, resolvedDelivery: { state: 'delivered', attempts: 1, deliveredAt: now } });
    } finally {
      await hook.close();
      await cleanup();
    }
  });
});

describe('alert webhook: a reopened alert', () => {
  it('is posted once as tact.alert.reopened, with its reopen count, under the same alert id', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const hook = await receiver((_req, res) => res.end());
    try {
      const alert = await storedAlert(store);
      let now = alert.raisedAt;
      const settings = monitorsKind.compile({ webhook: { url: hook.url } });
      const d = new WebhookDeliverer(store.monitors, () => settings, () => now);
      expect(await d.deliverDue()).toBe(1);
      now += H;
      await resolve(store, 1, alert.id, now);
      expect(await d.deliverDue()).toBe(1);
      now += H;
      expect(await reopen(store, 2, alert, now)).toBe(true);
      expect(await d.deliverDue()).toBe(1);
      expect(await d.deliverDue()).toBe(0);
      expect(hook.types()).toEqual(['tact.alert', 'tact.alert.resolved', 'tact.alert.reopened']);
      const last = hook.posts[2];
      expect(last.headers).toMatchObject({ 'x-tact-alert': alert.id, 'x-tact-event': `${alert.id}:reopened:1` });
      expect(JSON.parse(last.body).alert).toMatchObject({ id: alert.id, status: 'open', reopenCount: 1, reopenedAt: new Date(now).toISOString(), observed: 0.3, message: 'It is back.', resolvedAt: null });
      const view = alertView((await store.monitors.getAlert(alert.id))!);
      expect(view).toMatchObject({ status: 'open', reopenCount: 1, delivery: { state: 'delivered', attempts: 1 }, resolvedDelivery: null });
    } finally {
      await hook.close();
      await cleanup();
    }
  });
});

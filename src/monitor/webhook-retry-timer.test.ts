import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { openTestStore } from '../../test/harness.js';
import type { Settings } from '../config/settings.js';
import { policyKind } from '../decide/kinds.js';
import { Monitoring } from './monitoring.js';
import { monitorsKind } from './monitors-kind.js';
import { receiver, storedAlert } from './test-webhook.js';

/** Settings holding only the monitors document (and the default policy a step reads). */
function settingsOf(doc: Record<string, unknown>): Settings {
  const compiled = monitorsKind.compile(doc);
  return { get: (k: { kind: string }) => (k.kind === 'monitors' ? compiled : k.kind === 'policy' ? policyKind.compile({}) : undefined), onChange: () => {} } as unknown as Settings;
}

const waitFor = async (done: () => boolean, ms: number) => {
  for (const until = Date.now() + ms; !done() && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
};

/**
 * docs/monitors.md, "Retries": a failed post is retried after 0.5–1 s, then 1–2 s, 2–4 s … Until
 * 2026-12-04 a retry was attempted only at the server's next monitors step, so with the default
 * 10-s `interval` the first waits were 10 s, and with `interval: 1h` every retry waited an hour
 * (24 attempts a day instead of within 12 h).
 */
describe('alert webhook retries in the running server', () => {
  it('are attempted when due, not at the next monitors step', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const hook = await receiver((_req, res) => res.writeHead(hook.posts.length === 1 ? 503 : 200).end());
    const m = new Monitoring({ store, settings: settingsOf({ interval: '1h', webhook: { url: hook.url, backoff: '200ms' } }), log: pino({ level: 'silent' }) });
    try {
      const alert = await storedAlert(store, { state: 'pending', attempts: 0, nextAttemptAt: Date.now(), lastError: null, deliveredAt: null });
      m.start();
      expect(await m.webhook.deliverDue()).toBe(1);
      expect(hook.posts).toHaveLength(1);
      // The retry is due within 200 ms; the next step is an hour away.
      await waitFor(() => hook.posts.length === 2, 3_000);
      expect(hook.types()).toEqual(['tact.alert', 'tact.alert']);
      await waitFor(() => false, 100);
      expect(await store.monitors.getAlert(alert.id)).toMatchObject({ delivery: { state: 'delivered', attempts: 2 } });
    } finally {
      await m.close();
      await hook.close();
      await cleanup();
    }
  });

  it('of several alerts that failed in one run are each attempted when due, not only the earliest', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    // Every alert's first post fails; each retry (jittered apart: 0.2–0.4 s) succeeds.
    const failed = new Set<string>();
    const hook = await receiver((req, res) => {
      const id = String(req.headers['x-tact-alert']);
      res.writeHead(failed.has(id) ? 200 : 503).end();
      failed.add(id);
    });
    const m = new Monitoring({ store, settings: settingsOf({ interval: '1h', webhook: { url: hook.url, backoff: '400ms' } }), log: pino({ level: 'silent' }) });
    try {
      const one = await storedAlert(store, { state: 'pending', attempts: 0, nextAttemptAt: Date.now(), lastError: null, deliveredAt: null });
      const others = [1, 2, 3].map((k) => ({ ...one, id: `${one.id}-${k}` }));
      await store.monitors.commitStep({ tracks: {}, upsert: [], remove: [], expectedVersion: 1, at: one.raisedAt, raised: others, resolved: [] });
      m.start();
      expect(await m.webhook.deliverDue()).toBe(4);
      // Until 2026-12-05 the timer kept only the earliest retry: the others waited for the next step, an hour away.
      const delivered = async () => (await Promise.all([one, ...others].map((a) => store.monitors.getAlert(a.id)))).filter((a) => a?.delivery.state === 'delivered').length;
      for (const until = Date.now() + 5_000; (await delivered()) < 4 && Date.now() < until;) await new Promise((r) => setTimeout(r, 50));
      expect(await delivered()).toBe(4);
      expect(hook.posts).toHaveLength(8);
    } finally {
      await m.close();
      await hook.close();
      await cleanup();
    }
  });

  it('are left to the steps once the monitors are closed', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const hook = await receiver((_req, res) => res.writeHead(503).end());
    const m = new Monitoring({ store, settings: settingsOf({ interval: '1h', webhook: { url: hook.url, backoff: '200ms' } }), log: pino({ level: 'silent' }) });
    try {
      await storedAlert(store, { state: 'pending', attempts: 0, nextAttemptAt: Date.now(), lastError: null, deliveredAt: null });
      m.start();
      expect(await m.webhook.deliverDue()).toBe(1);
      await m.close();
      await waitFor(() => false, 600);
      expect(hook.posts).toHaveLength(1);
    } finally {
      await hook.close();
      await cleanup();
    }
  });
});

describe('alert webhook retries when the webhook is taken out of the configuration', () => {
  it('stop: the retry timer neither posts nor spins', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const hook = await receiver((_req, res) => res.writeHead(503).end());
    let doc: Record<string, unknown> = { interval: '1h', webhook: { url: hook.url, backoff: '100ms' } };
    let reads = 0;
    const settings = { get: (k: { kind: string }) => (k.kind === 'monitors' ? (reads++, monitorsKind.compile(doc)) : policyKind.compile({})), onChange: () => {} } as unknown as Settings;
    const m = new Monitoring({ store, settings, log: pino({ level: 'silent' }) });
    try {
      await storedAlert(store, { state: 'pending', attempts: 0, nextAttemptAt: Date.now(), lastError: null, deliveredAt: null });
      m.start();
      expect(await m.webhook.deliverDue()).toBe(1);
      doc = { interval: '1h' };
      reads = 0;
      await waitFor(() => false, 500);
      expect(hook.posts).toHaveLength(1);
      // The timer came once, found no webhook, and was not set again.
      expect(reads).toBeLessThanOrEqual(1);
    } finally {
      await m.close();
      await hook.close();
      await cleanup();
    }
  });
});

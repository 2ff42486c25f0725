import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bearer, get, harness, KEYS, openTestStore } from '../../test/harness.js';
import { monitorsKind } from './monitors-kind.js';
import { DEFAULT_MAX_ATTEMPTS, nextAttemptAt, retryAfterMs, SECRETLESS_DELAY_MS, WebhookDeliverer, type DeliveryReport } from './webhook.js';
import { buildApp } from '../server/app.js';
import { Tact } from '../server/tact.js';
import { isRetryableStoreError } from '../store/open.js';
import { receiver, storedAlert } from './test-webhook.js';

/** A port on 127.0.0.1 that refuses connections: one a server listened on, closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('alert webhook retries', () => {
  it('back off exponentially from the configured step, capped at one hour, with equal jitter: between half the step and all of it', () => {
    const at = (random: number) => [1, 2, 3, 4, 5].map((n) => nextAttemptAt(0, n, 1_000, 0, () => random));
    expect(at(1)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(at(0)).toEqual([500, 1_000, 2_000, 4_000, 8_000]);
    expect(nextAttemptAt(0, 3, 1_000, 0, () => 0.25)).toBe(2_500);
    expect([0, 1].map((r) => nextAttemptAt(0, 30, 1_000, 0, () => r))).toEqual([1_800_000, 3_600_000]);
    // The receiver's Retry-After wins over a shorter draw (still at most an hour).
    expect(nextAttemptAt(0, 1, 1_000, 120_000, () => 1)).toBe(120_000);
    expect(nextAttemptAt(0, 13, 1_000, 10 * 3_600_000, () => 0)).toBe(3_600_000);
  });

  it('spread the retries of servers that failed together, instead of sending them back in lockstep', () => {
    // Twenty servers whose post failed at the same moment, each with its own random source.
    let seed = 7;
    const random = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
    const next = Array.from({ length: 20 }, () => nextAttemptAt(0, 4, 1_000, 0, random));
    expect(new Set(next).size).toBe(20);
    expect(Math.min(...next)).toBeGreaterThanOrEqual(4_000);
    expect(Math.max(...next)).toBeLessThanOrEqual(8_000);
  });

  it('give up after maxAttempts when nobody answers, keeping the last error on the alert', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const alert = await storedAlert(store);
    let now = alert.raisedAt;
    const reports: DeliveryReport[] = [];
    // A port nothing listens on: the connection is refused. (Not port 9: fetch refuses that one
    // itself, as a "bad port", without connecting — see the monitors document's check.)
    const settings = monitorsKind.compile({ webhook: { url: `http://127.0.0.1:${await closedPort()}/hook`, maxAttempts: 2, backoff: '2s', timeout: '1s' } });
    const d = new WebhookDeliverer(store.monitors, () => settings, () => now, (r) => reports.push(r), { random: () => 0.5 });
    expect(await d.deliverDue()).toBe(1);
    expect(reports.map((r) => r.result)).toEqual(['retry']);
    // The 2-s step, jittered: 1 s + 0.5 × 1 s.
    expect((await store.monitors.getAlert(alert.id))?.delivery).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: now + 1_500 });
    now += 1_500;
    expect(await d.deliverDue()).toBe(1);
    expect(reports.map((r) => r.result)).toEqual(['retry', 'failed']);
    const failed = (await store.monitors.getAlert(alert.id))?.delivery;
    expect(failed).toMatchObject({ state: 'failed', attempts: 2, nextAttemptAt: null, deliveredAt: null });
    // The error says why, not only undici's "fetch failed".
    expect(failed?.lastError).toMatch(/ECONNREFUSED/);
    now += 3_600_000;
    expect(await d.deliverDue()).toBe(0);
    await cleanup();
  });
});

describe('alert webhook receivers that misbehave', () => {
  it('one that closes the connection without answering: a failed attempt whose error says so, not only "fetch failed"', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const hook = await receiver((req) => req.socket.destroy());
    try {
      const alert = await storedAlert(store);
      const settings = monitorsKind.compile({ webhook: { url: hook.url } });
      const reports: DeliveryReport[] = [];
      const d = new WebhookDeliverer(store.monitors, () => settings, () => alert.raisedAt, (r) => reports.push(r));
      expect(await d.deliverDue()).toBe(1);
      expect(hook.posts).toHaveLength(1);
      expect(reports.map((r) => r.result)).toEqual(['retry']);
      const delivery = (await store.monitors.getAlert(alert.id))?.delivery;
      expect(delivery).toMatchObject({ state: 'pending', attempts: 1, deliveredAt: null });
      expect(delivery?.lastError).toMatch(/closed/);
    } finally {
      await hook.close();
      await cleanup();
    }
  });

  it('one that never answers: the attempt ends at webhook.timeout and is retried', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const hook = await receiver(() => {});
    try {
      const alert = await storedAlert(store);
      const settings = monitorsKind.compile({ webhook: { url: hook.url, timeout: '200ms' } });
      const d = new WebhookDeliverer(store.monitors, () => settings, () => alert.raisedAt);
      expect(await d.deliverDue()).toBe(1);
      expect((await store.monitors.getAlert(alert.id))?.delivery).toMatchObject({ state: 'pending', attempts: 1, lastError: 'no answer within 200 ms' });
    } finally {
      await hook.close();
      await cleanup();
    }
  });

  it('one that asks to be left alone (429 with Retry-After): the next attempt waits as long as it asked, at most an hour', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    let retryAfter = '120';
    const hook = await receiver((_req, res) => res.writeHead(429, { 'retry-after': retryAfter }).end());
    try {
      const alert = await storedAlert(store);
      let now = alert.raisedAt;
      const settings = monitorsKind.compile({ webhook: { url: hook.url, backoff: '1s' } });
      const reports: DeliveryReport[] = [];
      const d = new WebhookDeliverer(store.monitors, () => settings, () => now, (r) => reports.push(r));
      expect(await d.deliverDue()).toBe(1);
      // Without it, the backoff would retry after 1 s, 2 s, 4 s … and give up before the receiver took anything.
      let delivery = (await store.monitors.getAlert(alert.id))?.delivery;
      expect(delivery).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: now + 120_000 });
      expect(delivery?.lastError).toMatch(/429.*120 s/);
      now += 120_000;
      retryAfter = new Date(now + 10 * 3_600_000).toUTCString();
      expect(await d.deliverDue()).toBe(1);
      delivery = (await store.monitors.getAlert(alert.id))?.delivery;
      expect(delivery).toMatchObject({ state: 'pending', attempts: 2, nextAttemptAt: now + 3_600_000 });
      expect(reports.map((r) => [r.result, r.status])).toEqual([['retry', 429], ['retry', 429]]);
    } finally {
      await hook.close();
      await cleanup();
    }
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and an HTTP date (RFC 9110 §10.2.3), nothing else', () => {
    const now = Date.UTC(2026, 5, 1, 6, 0, 0);
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('0', now)).toBe(0);
    expect(retryAfterMs(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
    expect(retryAfterMs(new Date(now - 90_000).toUTCString(), now)).toBe(0);
    for (const bad of [null, '', 'soon', '-5', '1.5', '12abc']) expect(retryAfterMs(bad, now)).toBeUndefined();
  });
});

describe('alert webhook defaults', () => {
  it('span at least the default cool-down (6 h) even when every jittered wait is the shortest it can be', () => {
    let at = 0;
    for (let attempts = 1; attempts < DEFAULT_MAX_ATTEMPTS; attempts++) at = nextAttemptAt(at, attempts, 1_000, 0, () => 0);
    expect(at).toBeGreaterThanOrEqual(6 * 3_600_000);
  });

  it('outlast a receiver that is down for five hours (an outage at night), even with the shortest jittered waits: the alert still arrives', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const alert = await storedAlert(store);
    let now = alert.raisedAt;
    const upAt = alert.raisedAt + 5 * 3_600_000;
    const hook = await receiver((_req, res) => res.writeHead(now >= upAt ? 200 : 503).end());
    try {
      const settings = monitorsKind.compile({ webhook: { url: hook.url } });
      const d = new WebhookDeliverer(store.monitors, () => settings, () => now, undefined, { random: () => 0 });
      for (;;) {
        expect(await d.deliverDue()).toBe(1);
        const delivery = (await store.monitors.getAlert(alert.id))?.delivery;
        if (delivery?.state !== 'pending') break;
        now = delivery.nextAttemptAt as number;
      }
      const delivery = (await store.monitors.getAlert(alert.id))?.delivery;
      expect(delivery).toMatchObject({ state: 'delivered', deliveredAt: now });
      expect(now).toBeGreaterThanOrEqual(upAt);
      expect(now - upAt).toBeLessThanOrEqual(3_600_000);
      expect(hook.posts.length).toBe(delivery?.attempts);
    } finally {
      await hook.close();
      await cleanup();
    }
  });
});

describe('alert webhook redirects', () => {
  it('are not followed: a 302 would turn the POST into a bodiless GET that a 200 makes look delivered', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const seen: { method?: string; url?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body });
        if (req.url === '/hook') res.writeHead(302, { location: '/elsewhere' }).end();
        else res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const alert = await storedAlert(store);
      const settings = monitorsKind.compile({ webhook: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, backoff: '1s' } });
      const reports: DeliveryReport[] = [];
      const d = new WebhookDeliverer(store.monitors, () => settings, () => alert.raisedAt, (r) => reports.push(r));
      expect(await d.deliverDue()).toBe(1);
      expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /hook']);
      expect(reports.map((r) => [r.result, r.status])).toEqual([['retry', 302]]);
      const delivery = (await store.monitors.getAlert(alert.id))?.delivery;
      expect(delivery).toMatchObject({ state: 'pending', attempts: 1, deliveredAt: null });
      expect(delivery?.lastError).toMatch(/302.*redirect/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await cleanup();
    }
  });
});

describe('alert webhook timeout', () => {
  for (const timeout of ['30d', '50d']) {
    it(`of ${timeout} (longer than setTimeout can hold, 2^31 − 1 ms ≈ 24.8 days) waits for a slow answer instead of aborting at once`, async () => {
      const { store, cleanup } = await openTestStore('sqlite');
      // Answers after 200 ms: well within the timeout.
      const server = createServer((req, res) => {
        req.resume();
        req.on('end', () => setTimeout(() => res.writeHead(200).end('ok'), 200));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const alert = await storedAlert(store);
        const settings = monitorsKind.compile({ webhook: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, timeout } });
        const reports: DeliveryReport[] = [];
        const d = new WebhookDeliverer(store.monitors, () => settings, () => alert.raisedAt, (r) => reports.push(r));
        expect(await d.deliverDue()).toBe(1);
        expect(reports.map((r) => [r.result, r.error])).toEqual([['delivered', undefined]]);
      } finally {
        await new Promise((resolve) => server.close(resolve));
        await cleanup();
      }
    });
  }
});

describe('the monitors document', () => {
  it('compiles durations and defaults', () => {
    const s = monitorsKind.compile({ bucket: '10m', currentWindow: '2h', webhook: { url: 'https://ops.example.com/hook' } });
    expect(s.config).toMatchObject({ bucketMs: 600_000, currentWindowMs: 7_200_000, baselineWindowMs: 7 * 86_400_000, alpha: 0.001, minTrials: 100 });
    expect(s.intervalMs).toBe(10_000);
    expect(s.webhook).toEqual({ url: 'https://ops.example.com/hook', secret: undefined, secretEnv: undefined, maxAttempts: DEFAULT_MAX_ATTEMPTS, backoffMs: 1_000, timeoutMs: 5_000 });
    expect(monitorsKind.compile({}).webhook).toBeUndefined();
  });

  it('names every bad field', () => {
    const problems = monitorsKind.check({ bucket: 'soon', alpha: 2, metrics: ['volume', 'mood'], webhook: { url: 'ftp://x' }, color: 'red' });
    expect(problems.map((p) => p.field).sort()).toEqual(['alpha', 'bucket', 'color', 'metrics[1]', 'webhook.url']);
    expect(monitorsKind.check({ bucket: '2h', currentWindow: '1h' }).map((p) => p.field)).toEqual(['currentWindow']);
    expect(monitorsKind.check({ interval: '30s', webhook: { url: 'http://127.0.0.1:9000/a', maxAttempts: 3 } })).toEqual([]);
  });
});

describe('the webhook secret is write-only', () => {
  const SECRET = 'whsec-the-receivers-hmac-key';
  const signed = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it('no key reads it back (server or admin; the version in force, its history, a change\'s answer), and GET, edit, PUT keeps it: alerts stay signed with it', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const hook = await receiver((_req, res) => res.end());
    // Every log line, at every level: none may print the secret.
    const logs: string[] = [];
    const tact = await Tact.create({
      store, logger: pino({ level: 'trace' }, { write: (line: string) => logs.push(line) }), background: false, isRetryable: isRetryableStoreError,
      configFile: { path: 'secret-test', sections: { monitors: { alpha: 0.001, webhook: { url: hook.url, secret: SECRET } } } },
    });
    await tact.keys.bootstrap({ TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin });
    const app = await buildApp(tact);
    const put = (document: unknown) => app.inject({ method: 'PUT', url: '/v1/config/monitors', headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'test' } });
    try {
      for (const key of [KEYS.server, KEYS.admin]) {
        const now = await get(app, '/v1/config/monitors', key);
        expect(now.statusCode).toBe(200);
        expect(now.body).not.toContain(SECRET);
        expect(now.json().body.webhook).toEqual({ url: hook.url, secret: { redacted: true } });
        const history = await get(app, '/v1/config/monitors/history', key);
        expect(history.statusCode).toBe(200);
        expect(history.body).not.toContain(SECRET);
        expect(history.json().versions.map((v: { body: { webhook: unknown } }) => v.body.webhook)).toEqual([{ url: hook.url, secret: { redacted: true } }]);
      }

      // The operator reads the document, changes another field, and writes it back, marker and all.
      const doc = (await get(app, '/v1/config/monitors', KEYS.admin)).json().body;
      const edited = await put({ ...doc, alpha: 0.0005 });
      expect(edited.statusCode, edited.body).toBe(200);
      expect(edited.body).not.toContain(SECRET);
      expect(edited.json().body).toEqual({ alpha: 0.0005, webhook: { url: hook.url, secret: { redacted: true } } });
      // Write-only, yet the answer says what the change did to it: the marker kept it.
      expect(edited.json().secrets).toEqual([{ path: 'webhook.secret', change: 'kept' }]);
      expect((await store.documents.latest<{ webhook: { secret: string } }>('monitors'))?.body.webhook.secret).toBe(SECRET);
      const alert = await storedAlert(store);
      const d = new WebhookDeliverer(store.monitors, () => tact.settings.get(monitorsKind), () => alert.raisedAt);
      expect(await d.deliverDue()).toBe(1);
      expect(hook.posts).toHaveLength(1);
      expect(hook.posts[0].headers['x-tact-signature']).toBe(signed(SECRET, hook.posts[0].body));

      // A new value replaces it.
      const rotated = await put({ ...doc, webhook: { url: hook.url, secret: 'rotated' } });
      expect(rotated.statusCode).toBe(200);
      expect(rotated.json().secrets).toEqual([{ path: 'webhook.secret', change: 'changed' }]);
      // Sent again as itself: kept, not a change (the version still written for the alpha).
      const again = await put({ ...doc, alpha: 0.0004, webhook: { url: hook.url, secret: 'rotated' } });
      expect(again.json().secrets).toEqual([{ path: 'webhook.secret', change: 'kept' }]);
      expect(tact.settings.get(monitorsKind).webhook?.secret).toBe('rotated');
      // Left out, there is none; the marker then has nothing to keep: a 400 naming the field, nothing saved.
      const removed = await put({ webhook: { url: hook.url } });
      expect(removed.statusCode).toBe(200);
      expect(removed.json().secrets).toEqual([{ path: 'webhook.secret', change: 'removed' }]);
      const version = tact.settings.version('monitors');
      const refused = await put({ webhook: { url: hook.url, secret: { redacted: true } } });
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json().problems).toEqual([{ field: 'webhook.secret', message: expect.stringMatching(/no secret is stored/) }]);
      expect(tact.settings.version('monitors')).toBe(version);
      expect(tact.settings.get(monitorsKind).webhook?.secret).toBeUndefined();

      expect(logs.length).toBeGreaterThan(0);
      expect(logs.join('')).not.toContain(SECRET);
      expect(logs.join('')).not.toContain('rotated');
    } finally {
      await app.close();
      await tact.close();
      await hook.close();
      await cleanup();
    }
  });

  it('the config file holds the secret itself: the marker there is refused, naming the field (the file is the operator\'s own)', async () => {
    await expect(harness('sqlite', { config: { monitors: { webhook: { url: 'https://ops.example.com/hook', secret: { redacted: true } } } } })).rejects.toThrow(/`monitors` section .*webhook\.secret/);
  });
});

describe('the webhook secret from the environment (webhook.secretEnv)', () => {
  afterEach(() => vi.unstubAllEnvs());
  const signed = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it('is read at each send (a new value after a restart signs the next post), and a send where it is gone fails that attempt, saying why', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const hook = await receiver((_req, res) => res.end());
    try {
      vi.stubEnv('TACT_TEST_ALERT_SECRET', 'first');
      const alert = await storedAlert(store);
      let now = alert.raisedAt;
      const settings = monitorsKind.compile({ webhook: { url: hook.url, secretEnv: 'TACT_TEST_ALERT_SECRET' } });
      const reports: DeliveryReport[] = [];
      const d = new WebhookDeliverer(store.monitors, () => settings, () => now, (r) => reports.push(r), { random: () => 1 });
      expect(await d.deliverDue()).toBe(1);
      expect(hook.posts[0].headers['x-tact-signature']).toBe(signed('first', hook.posts[0].body));

      now += 3_600_000;
      await store.monitors.commitStep({ expectedVersion: 1, at: now, tracks: {}, upsert: [], remove: [], raised: [], resolved: [alert.id], notify: true });
      vi.stubEnv('TACT_TEST_ALERT_SECRET', undefined);
      // A process that cannot sign leaves a fresh notice to one that can (until 2026-12-05 it took
      // every retry, each failing); one still due a minute later it takes, and says why it failed.
      expect(await d.deliverDue()).toBe(0);
      now += SECRETLESS_DELAY_MS;
      expect(await d.deliverDue()).toBe(1);
      // Nothing unsigned went out.
      expect(hook.posts).toHaveLength(1);
      const reason = 'the environment variable TACT_TEST_ALERT_SECRET (webhook.secretEnv) is not set: nothing was sent unsigned';
      expect(reports.map((r) => [r.result, r.error])).toEqual([['delivered', undefined], ['retry', reason]]);
      expect((await store.monitors.getAlert(alert.id))?.resolvedDelivery).toMatchObject({ state: 'pending', attempts: 1, lastError: reason, nextAttemptAt: now + 1_000 });

      vi.stubEnv('TACT_TEST_ALERT_SECRET', 'rotated');
      now += 1_000;
      expect(await d.deliverDue()).toBe(1);
      expect(hook.posts).toHaveLength(2);
      expect(hook.posts[1].headers['x-tact-signature']).toBe(signed('rotated', hook.posts[1].body));
    } finally {
      await hook.close();
      await cleanup();
    }
  });

  it('a PUT naming a variable the server\'s environment does not have is a 400 naming the field and the variable, and nothing is saved', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const tact = await Tact.create({ store, logger: pino({ level: 'silent' }), background: false, isRetryable: isRetryableStoreError });
    await tact.keys.bootstrap({ TACT_WRITE_KEY: KEYS.write, TACT_SERVER_KEY: KEYS.server, TACT_ADMIN_KEY: KEYS.admin });
    const app = await buildApp(tact);
    const put = (webhook: unknown) => app.inject({ method: 'PUT', url: '/v1/config/monitors', headers: { authorization: bearer(KEYS.admin) }, payload: { document: { webhook }, reason: 'test' } });
    try {
      const url = 'https://ops.example.com/hook';
      const refused = await put({ url, secretEnv: 'TACT_TEST_ALERT_SECRET_UNSET' });
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json().problems).toEqual([{ field: 'webhook.secretEnv', message: expect.stringMatching(/`TACT_TEST_ALERT_SECRET_UNSET`.*not set in the server's environment/) }]);
      expect(tact.settings.version('monitors')).toBe(0);
      vi.stubEnv('TACT_TEST_ALERT_SECRET', 'from-env');
      const both = await put({ url, secret: 'inline', secretEnv: 'TACT_TEST_ALERT_SECRET' });
      expect(both.statusCode).toBe(400);
      expect(both.json().problems.map((p: { field: string }) => p.field)).toEqual(['webhook.secretEnv']);
      const ok = await put({ url, secretEnv: 'TACT_TEST_ALERT_SECRET' });
      expect(ok.statusCode, ok.body).toBe(200);
      // The name is no secret (it is shown); the value is never in the document.
      expect(ok.json().body.webhook).toEqual({ url, secretEnv: 'TACT_TEST_ALERT_SECRET' });
      expect(ok.body).not.toContain('from-env');
      expect(tact.settings.get(monitorsKind).webhook).toMatchObject({ secretEnv: 'TACT_TEST_ALERT_SECRET', secret: undefined });
    } finally {
      await app.close();
      await tact.close();
      await cleanup();
    }
  });
});

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { openTestStore } from '../../test/harness.js';
import { initialMonitorState, monitorStep } from '../measure/monitors/monitor.js';
import { toStoredAlert } from './alerts.js';
import { firingNegativeRate } from './firing-events.js';
import type { AlertDelivery, StoredAlert } from './monitor-store.js';

type TestStore = Awaited<ReturnType<typeof openTestStore>>['store'];

/**
 * A firing negative-rate alert (unsubscribes from 1% to 20%), stored with a pending delivery (or
 * `delivery`) as the first step of an empty monitor state (version 1 after it) — the webhook tests' alert.
 *
 * @example const alert = await storedAlert(store);
 */
export async function storedAlert(store: TestStore, delivery?: AlertDelivery): Promise<StoredAlert> {
  const H = 3_600_000;
  const { alerts } = monitorStep(initialMonitorState(), firingNegativeRate(), 7 * H - 1, { baselineWindowMs: 6 * H });
  expect(alerts.map((a) => a.metric)).toEqual(['negative-rate']);
  const alert = { ...toStoredAlert(alerts[0], { decisions: [], outcomes: [] }, true), ...(delivery && { delivery }) };
  await store.monitors.commitStep({ tracks: {}, upsert: [], remove: [], expectedVersion: 0, at: alert.raisedAt, raised: [alert], resolved: [] });
  return alert;
}

/** A post a {@link receiver} took. */
export interface ReceivedPost {
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A receiver on 127.0.0.1 answering each post as `answer` says; closed by `close`.
 * @example const hook = await receiver((_req, res) => res.end()); … await hook.close();
 */
export async function receiver(answer: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const posts: ReceivedPost[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      posts.push({ headers: req.headers, body });
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    posts,
    /** The `type` of each post's body, in the order they came. */
    types: () => posts.map((p) => (JSON.parse(p.body) as { type: string }).type),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

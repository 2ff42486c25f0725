import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KEYS, harness, openTestStore } from '../../test/harness.js';
import { Tact } from '../server/tact.js';
import { isRetryableStoreError } from '../store/open.js';
import type { Store } from '../store/store.js';

const features = [{ name: 'orders', kind: 'count', event: 'Order Completed' }];
const lifecycle = { stages: [{ name: 'prospect', when: 'features.orders == 0.0' }] };

/** Starts Tact on `store` with `sections` as its config file; answers the warnings it logged. */
async function start(store: Store, sections: Record<string, unknown>): Promise<{ warnings: { msg: string; kind?: string }[]; close: () => Promise<void> }> {
  const lines: { level: number; msg: string; kind?: string }[] = [];
  const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const tact = await Tact.create({ store, logger, background: false, isRetryable: isRetryableStoreError, configFile: { path: 'tact.config.yaml', sections } });
  return { warnings: lines.filter((l) => l.level === 40), close: () => tact.close() };
}

/**
 * A section taken out of the config file changes nothing stored: the version it last wrote stays
 * in force (the file is applied section by section, and a section the file does not have is one
 * the API may own). The operator who deleted the lines must be told at start, with the way to
 * remove it, until the API takes the kind over (docs/configuration.md).
 */
describe('a section removed from the config file', () => {
  it('stays in force, and each start warns naming the section, the version and how to remove it through the API, until the API changes it', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const first = await start(store, { features, lifecycle });
      expect(first.warnings).toEqual([]);
      await first.close();

      const second = await start(store, { features });
      expect((await store.documents.latest('lifecycle'))?.version).toBe(1);
      expect(second.warnings.map((w) => w.msg)).toEqual([
        'The config file tact.config.yaml no longer has the `lifecycle` section, but the version it last applied (`lifecycle` version 1) stays in force: taking a section out of the file changes nothing stored. To remove it, PUT /v1/config/lifecycle with the empty document {} and a reason (admin key); to keep it, put the section back or change it through the API, which then owns it.',
      ]);
      expect(second.warnings[0].kind).toBe('lifecycle');
      await second.close();

      // Still warned at the next start: nothing changed.
      const third = await start(store, { features });
      expect(third.warnings).toHaveLength(1);
      await third.close();

      // Removed as the warning says: the API's version is in force, and the file no longer owns it.
      const h = await harness('sqlite', { store, config: { features } });
      const put = await h.app.inject({ method: 'PUT', url: '/v1/config/lifecycle', headers: { authorization: `Bearer ${KEYS.admin}` }, payload: { document: {}, reason: 'taken out of the file' } });
      expect(put.statusCode, put.body).toBe(200);
      await h.close();
      const fourth = await start(store, { features });
      expect(fourth.warnings).toEqual([]);
      await fourth.close();
    } finally {
      await cleanup();
    }
  });

  it('names an empty document that PUT takes, for every kind', async () => {
    const h = await harness('sqlite');
    try {
      for (const k of h.tact.settings.allKinds()) {
        const put = await h.app.inject({ method: 'PUT', url: `/v1/config/${k.kind}`, headers: { authorization: `Bearer ${KEYS.admin}` }, payload: { document: JSON.parse(JSON.stringify(k.empty)), reason: 'removed' } });
        expect(put.statusCode, `${k.kind}: ${put.body}`).toBe(200);
      }
    } finally {
      await h.close();
    }
  });

  it('warns of no section the file never had', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const h = await harness('sqlite', { store, config: { features } });
      expect((await h.app.inject({ method: 'PUT', url: '/v1/config/lifecycle', headers: { authorization: `Bearer ${KEYS.admin}` }, payload: { document: lifecycle, reason: 'set through the API' } })).statusCode).toBe(200);
      await h.close();
      const again = await start(store, { features });
      expect(again.warnings).toEqual([]);
      await again.close();
    } finally {
      await cleanup();
    }
  });
});

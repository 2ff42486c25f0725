import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LogConsumers } from '../collect/log-consumers.js';
import { Settings } from '../config/settings.js';
import { documentKinds } from '../server/tact.js';
import { openTestStore } from '../../test/harness.js';
import type { DecisionRecord } from './decision.js';
import { DecideService } from './service.js';

const DAY = 86_400_000;
const record = (id: string, at: number): DecisionRecord => ({
  id, at, profileKey: 'anon:old', subject: 'old', placement: 'home', channel: 'web', context: {}, policyVersion: 1, catalogVersion: 1, modelVersion: 'm',
  arm: 'treatment', choices: [{ rank: 1, kind: 'none', score: 0, propensity: 1, why: '' }], scored: [], excluded: [], facts: {}, absentFacts: [], operator: '', customer: '', excludedByStage: {},
});

describe('the decision log\'s retention', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('is applied soon after a start, not only an hour into it: a server restarted more often than hourly still deletes', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const now = Date.now();
    await store.decisions.appendDecision(record('old-1', now - 401 * DAY));
    await store.decisions.appendDecision(record('young-1', now - 399 * DAY));
    const settings = new Settings(store.documents, documentKinds);
    await settings.reload();
    const log = pino({ level: 'silent' });
    const decide = await DecideService.start({ store, settings, consumers: new LogConsumers(store, { log: () => {} }), log, background: true });
    close = async () => (decide.close(), await cleanup());
    for (let i = 0; i < 100 && (await store.decisions.getDecision('old-1')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await store.decisions.getDecision('old-1')).toBeUndefined();
    expect(await store.decisions.getDecision('young-1')).toBeDefined();
  });
});

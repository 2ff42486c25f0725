import { afterEach, describe, expect, it, vi } from 'vitest';
import { get, harness, KEYS, type Harness } from '../../../test/harness.js';
import { sendTimeTrainer } from '../send-time/send-time-trainer.js';

describe.each(['sqlite', 'postgres'] as const)('GET /v1/models: how each model\'s scheduled training went (%s)', (kind) => {
  let h: Harness | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.close();
    h = undefined;
  });

  it('says a scheduled training that failed (state, the error sentence, when it is tried again), then the run that succeeded', async () => {
    h = await harness(kind);
    await h.tact.settings.put('training', { models: ['send-time'] }, { author: 't', reason: 't' });
    const t0 = Date.parse('2026-12-04T03:00:00.000Z');
    const train = vi.spyOn(sendTimeTrainer, 'train').mockRejectedValueOnce(new Error('the slot counts could not be read'));
    await h.tact.learning.schedule.tick(t0);
    let models = (await get(h.app, '/v1/models', KEYS.admin)).json().models as { name: string; scheduled: unknown }[];
    expect(models.find((m) => m.name === 'send-time')?.scheduled).toEqual({
      state: 'failed',
      lastRunAt: null,
      lastResult: null,
      failedAt: '2026-12-04T03:00:00.000Z',
      error: 'The scheduled training of send-time failed at 2026-12-04T03:00:00.000Z: the slot counts could not be read. It is tried again from 2026-12-04T03:30:00.000Z.',
      nextAt: '2026-12-04T03:30:00.000Z',
    });
    // A model the schedule has not run says so (null), not an empty success.
    expect(models.find((m) => m.name === 'rates')?.scheduled).toBeNull();
    await h.tact.learning.schedule.tick(t0 + 30 * 60_000);
    expect(train).toHaveBeenCalledTimes(2);
    models = (await get(h.app, '/v1/models', KEYS.admin)).json().models;
    expect(models.find((m) => m.name === 'send-time')?.scheduled).toEqual({
      state: 'done',
      lastRunAt: '2026-12-04T03:30:00.000Z',
      // No engagement stored: nothing to train, so it is tried again within the hour (not in 24 h).
      lastResult: { version: null, skipped: expect.stringMatching(/^too little engagement yet/), promoted: null, sameAs: null },
      failedAt: null,
      error: null,
      nextAt: '2026-12-04T04:30:00.000Z',
    });
  });
});

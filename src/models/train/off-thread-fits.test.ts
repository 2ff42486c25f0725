import { describe, expect, it } from 'vitest';
import { fitMicroSegments } from '../../segments/micro-segments-trainer.js';
import { fitLadder } from '../rates/rates-trainer.js';
import { ratesKind } from '../rates/rates-kind.js';
import { fitSendTime, fitSendTimeOffThread } from '../send-time/send-time-trainer.js';
import { runOffThread } from './off-thread.js';

/** The fits moved off the server's thread on 2026-12-06 answer in a worker what they answer in-thread. */
describe('fits run off the main thread give the in-thread result', () => {
  it('send-time: the share and the strength', async () => {
    const subjects = Array.from({ length: 30 }, (_, i) => Array.from({ length: 168 }, (_, s) => ((s * 7 + i * 13) % 11 === 0 ? 1 + (i % 3) : 0)));
    expect(await fitSendTimeOffThread(subjects)).toEqual(fitSendTime(subjects));
  }, 30_000);

  it('micro-segments: k-means on a Float64Array', async () => {
    const X = Float64Array.from({ length: 200 * 3 }, (_, i) => ((i * 37) % 101) / 7 + (i % 3));
    const opts = { k: 4, seed: 0, modelVersion: 'micro-segments' };
    expect(await runOffThread<typeof fitMicroSegments>(new URL('../../segments/micro-segments-trainer.ts', import.meta.url).href, 'fitMicroSegments', [X, 3, opts])).toEqual(fitMicroSegments(X, 3, opts));
  }, 30_000);

  it('rates: the ladder\'s prior strengths', async () => {
    const rate = ratesKind.compile([{ name: 'email_open', exposure: 'Email Delivered', success: 'Email Opened', within: '3d' }])[0];
    const groupRows = new Map([['segment:a', { successes: 30, trials: 100 }], ['segment:b', { successes: 60, trials: 100 }]]);
    const subjects = Array.from({ length: 40 }, (_, i) => {
      const c = { successes: i % 4, trials: 4 };
      return { counts: c, keys: { population: 'population', segment: i % 2 ? 'segment:a' : 'segment:b' }, own: { population: c, segment: c } };
    });
    const population = { successes: 90, trials: 200 };
    expect(await runOffThread<typeof fitLadder>(new URL('../rates/rates-trainer.ts', import.meta.url).href, 'fitLadder', [rate, population, groupRows, subjects])).toEqual(fitLadder(rate, population, groupRows, subjects));
  }, 30_000);
});

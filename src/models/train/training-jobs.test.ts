import { describe, expect, it } from 'vitest';
import { KEPT_TRAINING_MS, KEPT_TRAININGS, TrainingJobs } from './training-jobs.js';

const busy = () => 'busy';

describe('TrainingJobs', () => {
  it(`keeps the last ${KEPT_TRAININGS} trainings over, and none past an hour; a running one is never forgotten`, async () => {
    let now = 0;
    const jobs = new TrainingJobs(() => now);
    const running = jobs.start('rates', () => new Promise(() => {}), busy);
    const ids: string[] = [];
    for (let i = 0; i < KEPT_TRAININGS + 2; i++) {
      ids.push(jobs.start('send-time', async () => [{ model: 'send-time', seconds: 0 }], busy).id);
      await new Promise((r) => setTimeout(r, 0)); // lets it finish, so the next one is a new training
    }
    // 52 over: the first 2 are forgotten, the 50 after them kept (KEPT_TRAININGS = 50).
    expect(ids.filter((id) => jobs.get(id)).length).toBe(KEPT_TRAININGS);
    expect(jobs.get(ids[0])).toBeUndefined();
    expect(jobs.get(ids[2])?.state).toBe('done');
    now = KEPT_TRAINING_MS + 1;
    expect(ids.filter((id) => jobs.get(id)).length).toBe(0);
    expect(jobs.get(running.id)?.state).toBe('running');
  });
});

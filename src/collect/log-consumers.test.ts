import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, send, type Harness } from '../../test/harness.js';
import type { LoggedEvent } from './log-consumers.js';

describe('log consumers', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('sqlite');
  });
  afterEach(async () => h.close());

  it('see every stored event once, in log order, right after the commit, and resume where they stopped', async () => {
    const seen: LoggedEvent[] = [];
    let fail = true;
    h.tact.consumers.register({
      name: 'test',
      handle: async (events) => {
        if (fail && events.some((e) => e.message.event === 'Boom')) {
          fail = false;
          throw new Error('first try fails');
        }
        seen.push(...events);
      },
    });
    for (let i = 0; i < 5; i++) await send(h.app, '/v1/track', { userId: 'c1', event: i === 3 ? 'Boom' : `E${i}` });
    await h.tact.consumers.runAll();
    await h.tact.consumers.runAll();
    expect(seen.map((e) => e.message.event)).toEqual(['E0', 'E1', 'E2', 'Boom', 'E4']);
    expect(seen.map((e) => e.seq)).toEqual([...seen.map((e) => e.seq)].sort((a, b) => a - b));
  });
});

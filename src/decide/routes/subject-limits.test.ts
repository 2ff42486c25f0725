import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../../test/harness.js';
import { shopConfig } from '../fixtures.js';
import { decideReq } from '../test-http.js';

// A subject is any identifier a caller brings; PostgreSQL's btree indexes take keys of at most
// about 2,700 bytes, so an identifier longer than a tracked event's (512, src/collect/normalize.ts)
// must be refused by name on both stores, not reach an index as a 500.
describe.each(['sqlite', 'postgres'] as const)('subject limits on %s', (kind) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  // Letters from a linear congruential generator: not compressible, as a real random token is not.
  let x = 12345;
  const long = Array.from({ length: 8000 }, () => String.fromCharCode(97 + ((x = (x * 1103515245 + 12345) % 2 ** 31) >> 16) % 26)).join('');

  it('refuses an 8,000-character subject of a decision and of a flag with a 400 naming `subject`', async () => {
    h = await harness(kind, { config: shopConfig() });
    const d = await decideReq(h.app, { subject: long, placement: 'home' });
    expect(d.statusCode, d.body.slice(0, 300)).toBe(400);
    expect(d.body).toContain('subject');
    const f = await h.app.inject({ method: 'POST', url: '/v1/flags', headers: { authorization: bearer(KEYS.admin) }, payload: { subject: long, name: 'procurement', note: 'waiting', until: '2030-01-01' } });
    expect(f.statusCode, f.body.slice(0, 300)).toBe(400);
    expect(f.body).toContain('subject');
    // 512 characters, a tracked event's limit, still decide.
    const ok = await decideReq(h.app, { subject: long.slice(0, 512), placement: 'home' });
    expect(ok.statusCode, ok.body.slice(0, 300)).toBe(200);
  });
});

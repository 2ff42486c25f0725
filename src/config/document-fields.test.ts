import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, harness, type Harness } from '../../test/harness.js';
import { unknownFields } from './document-kind.js';

describe('configuration documents refuse fields they do not take', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  const put = (kind: string, document: unknown) => (h as Harness).app.inject({ method: 'PUT', url: `/v1/config/${kind}`, headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'test' } });

  it('a misspelt field is a 400 naming it and the field it likely means — not a saved document that leaves every segment out', async () => {
    h = await harness('sqlite');
    expect((await put('segments', { audiences: [{ name: 'buyers', when: 'traits.plan == "pro"' }] })).statusCode).toBe(200);
    const r = await put('segments', { audience: [{ name: 'buyers', when: 'traits.plan == "pro"' }] });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().problems).toEqual([{ field: 'audience', message: expect.stringMatching(/not one Tact knows here\. Did you mean `audiences`\?/) }]);
    // the document in force is still the one with the segment
    const now = (await h.app.inject({ method: 'GET', url: '/v1/config/segments', headers: { authorization: bearer(KEYS.admin) } })).json();
    expect(JSON.stringify(now)).toContain('buyers');
    for (const [kind, doc, field] of [
      ['lifecycle', { stage: [] }, 'stage'], ['training', { evry: '1h' }, 'evry'], ['send-time', { engagment: [] }, 'engagment'],
      ['monitors', { enable: true }, 'enable'], ['merge-rules', { limit: { userId: 1 } }, 'limit'], ['recommendations', { purchase: ['bought'] }, 'purchase'],
    ] as const) {
      const bad = await put(kind, doc);
      expect(bad.statusCode, `${kind}: ${bad.body}`).toBe(400);
      expect(bad.json().problems.map((p: { field: string }) => p.field.replace(/^monitors\./, '')), kind).toContain(field);
    }
  });

  it('a config file with a misspelt field does not start, naming the section and the field', async () => {
    await expect(harness('sqlite', { config: { segments: { audience: [{ name: 'buyers', when: 'traits.plan == "pro"' }] } } })).rejects.toThrow(/`segments` section .*audience: .*Did you mean `audiences`/);
  });

  it('names only what is unknown; a far-off name gets no guess', () => {
    expect(unknownFields({ audiences: [], microSegments: {} }, ['audiences', 'microSegments'])).toEqual([]);
    expect(unknownFields({ colour: 1 }, ['audiences'])[0].message).not.toMatch(/Did you mean/);
    expect(unknownFields([1, 2], ['a'])).toEqual([]);
  });
});

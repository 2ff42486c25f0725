import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, get, harness, type Harness } from '../../test/harness.js';

describe('a configuration kind that does not exist', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  it('is a 404 whose sentence names it, the kind meant when one is near, and the kinds there are, its code spans closed', async () => {
    for (const url of ['/v1/config/merge_rules', '/v1/config/merge_rules/history']) {
      const r = await get(h.app, url);
      expect([r.statusCode, r.json().error, r.json().suggestion]).toEqual([404, 'unknown_name', 'merge-rules']);
      const message: string = r.json().message;
      expect(message).toMatch(/^No configuration kind matches `merge_rules`: did you mean `merge-rules`\? The configuration kinds are features, merge-rules, .*\.$/);
      expect(message.split('`').length % 2, 'backticks come in pairs').toBe(1);
    }
    const far = await get(h.app, '/v1/config/nothing_like_it');
    expect([far.statusCode, far.json().error]).toEqual([404, 'not_found']);
    expect(far.json().message).toMatch(/^No configuration kind \(the configuration kinds are features, merge-rules, .*\) matches `nothing_like_it`\.$/);
  });
});

describe('PUT /v1/config/{kind} sent the document as a GET answers it (`body`)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());
  const put = (payload: object) => h.app.inject({ method: 'PUT', url: '/v1/config/lifecycle', headers: { authorization: `Bearer ${KEYS.admin}` }, payload });
  const documentAsBody = 'The `document` property is required: send the configuration as `document` (a GET answers it as `body`, which a PUT does not read).';

  it('is a 400 whose sentence says which name a PUT takes, every other problem kept; a body with neither keeps the usual sentence', async () => {
    const read = (await get(h.app, '/v1/config/lifecycle')).json();
    expect(read).toHaveProperty('body');
    const sentBack = await put({ ...read, reason: 'copied from the GET' });
    expect([sentBack.statusCode, sentBack.json().error]).toEqual([400, 'validation_failed']);
    expect(sentBack.json().message).toMatch(/^The `document` property is required: send the configuration as `document` \(a GET answers it as `body`, which a PUT does not read\)\. \(and \d+ more problems, listed in `problems`\)$/);
    // The rest of the GET's answer is named too: a PUT takes `document`, `reason`, `author` and `expectedVersion` only.
    expect(sentBack.json().problems).toEqual(expect.arrayContaining([{ field: 'document', message: documentAsBody }, { field: 'body', message: 'The `body` property is not one this endpoint takes.' }, { field: 'version', message: 'The `version` property is not one this endpoint takes.' }]));
    expect(sentBack.json().message.split('`').length % 2, 'backticks come in pairs').toBe(1);
    // Without a reason too: both problems, as the schema gives them.
    const both = (await put({ body: {} })).json();
    expect(both.problems).toEqual(expect.arrayContaining([{ field: 'document', message: documentAsBody }, { field: 'reason', message: 'The `reason` property is required. It was not present on the data you sent.' }]));
    expect(both.problems).toHaveLength(3);
    // Neither `document` nor `body`: the schema's own sentence.
    expect((await put({ reason: 'x' })).json().message).toBe('The `document` property is required. It was not present on the data you sent.');
    // `document` sent: applied.
    expect((await put({ document: read.body, reason: 'as read' })).statusCode).toBe(200);
  });
});

describe('PUT /v1/config/{kind} with a property it does not take', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  it('is a 400 naming it, and stores nothing: a misspelt `expectedVersion` does not switch off the conflict check unseen', async () => {
    const put = (payload: object) => h.app.inject({ method: 'PUT', url: '/v1/config/training', headers: { authorization: `Bearer ${KEYS.admin}` }, payload });
    const before = (await get(h.app, '/v1/config/training')).json().version;
    const r = await put({ document: { every: '24h' }, reason: 'x', expectedVersoin: 1 });
    expect([r.statusCode, r.json().error, r.json().message]).toEqual([400, 'validation_failed', 'The `expectedVersoin` property is not one this endpoint takes.']);
    expect((await get(h.app, '/v1/config/training')).json().version).toBe(before);
  });
});

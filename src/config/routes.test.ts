import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, harness, type Harness } from '../../test/harness.js';

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

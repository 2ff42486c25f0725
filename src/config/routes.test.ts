import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, harness, type Harness } from '../../test/harness.js';

describe('a configuration kind that does not exist', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('sqlite');
  });
  afterAll(async () => h.close());

  it('is a 404 whose sentence names it and the kinds there are, its code spans closed', async () => {
    for (const url of ['/v1/config/merge_rules', '/v1/config/merge_rules/history']) {
      const r = await get(h.app, url);
      expect(r.statusCode).toBe(404);
      const message: string = r.json().message;
      expect(message).toMatch(/^No configuration kind \(the kinds are features, merge-rules, .*\) matches `merge_rules`\.$/);
      expect(message.split('`').length % 2, 'backticks come in pairs').toBe(1);
    }
  });
});

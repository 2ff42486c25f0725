import { describe, expect, it } from 'vitest';
import { nameNotFound } from './not-found.js';

const models = { one: 'model', many: 'models' };

describe('nameNotFound', () => {
  it('names the known name within two edits, the closest first, as `unknown_name` with its suggestion', () => {
    const e = nameNotFound(models, 'ratez', ['uplift', 'rates', 'rated']);
    expect([e.statusCode, e.code, e.extra]).toEqual([404, 'unknown_name', { suggestion: 'rates' }]);
    expect(e.message).toBe('No model matches `ratez`: did you mean `rates`? The models are uplift, rates, rated.');
    // Case aside: a name in the wrong case is a distance of 0.
    expect(nameNotFound(models, 'Rates', ['rates']).extra).toEqual({ suggestion: 'rates' });
    expect(nameNotFound(models, 'rtez', ['rates']).extra).toEqual({ suggestion: 'rates' });
  });

  it('is the plain `not_found`, listing the names, when none is within two edits', () => {
    const e = nameNotFound(models, 'xyzzy', ['rates', 'uplift']);
    expect([e.statusCode, e.code, e.extra]).toEqual([404, 'not_found', {}]);
    expect(e.message).toBe('No model (the models are rates, uplift) matches `xyzzy`.');
    expect(nameNotFound(models, 'rxxxs', ['rates']).code).toBe('not_found');
  });

  it('says when there are none, and lists at most 20, counting the rest and naming where they all are', () => {
    expect(nameNotFound({ one: 'segment', many: 'segments' }, 'vip', []).message).toBe('No segment (there are no segments) matches `vip`.');
    const many = Array.from({ length: 25 }, (_, i) => `segment_${i}`);
    const e = nameNotFound({ one: 'segment', many: 'segments', listedAt: 'GET /v1/segments' }, 'nope', many);
    expect(e.message).toBe(`No segment (the segments are ${many.slice(0, 20).join(', ')} and 5 more (GET /v1/segments lists them)) matches \`nope\`.`);
    expect(nameNotFound({ one: 'segment', many: 'segments' }, 'segment_24x', many).message).toMatch(/did you mean `segment_24`\? The segments are segment_0, .*segment_19 and 5 more\.$/);
  });

  it('lists each name once', () => {
    expect(nameNotFound(models, 'xyzzy', ['rates', 'rates']).message).toBe('No model (the models are rates) matches `xyzzy`.');
  });
});

import { describe, expect, it } from 'vitest';
import { celReadable } from './cel-readable.js';

describe('celReadable: event data the rule evaluator can read', () => {
  it('turns objects with a `constructor` key into Maps, at any depth, and copies the rest', () => {
    const data = { team: { constructor: 'Ferrari', seats: 2 }, cars: [{ constructor: 'McLaren' }, 4], plain: { a: 1 } };
    const r = celReadable(data) as { team: unknown; cars: unknown[]; plain: unknown };
    expect(r.team).toEqual(new Map<string, unknown>([['constructor', 'Ferrari'], ['seats', 2]]));
    expect(r.cars).toEqual([new Map([['constructor', 'McLaren']]), 4]);
    expect(r.plain).toEqual({ a: 1 });
    expect(data.team).toEqual({ constructor: 'Ferrari', seats: 2 });
  });
});

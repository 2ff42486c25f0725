import { describe, expect, it } from 'vitest';
import { sharedSerializers } from './serializers.js';

describe('sharedSerializers', () => {
  it('compiles a response schema once per process, for the same object or another with the same JSON', () => {
    const built = () => ({ type: 'object', properties: { id: { type: 'string' }, n: { type: 'integer' } } });
    const first = sharedSerializers()({ schema: built() });
    expect(sharedSerializers()({ schema: built() })).toBe(first);
    expect(first({ id: 'a', n: 2, extra: true })).toBe('{"id":"a","n":2}');
    const other = sharedSerializers()({ schema: { type: 'object', properties: { id: { type: 'string' } } } });
    expect(other).not.toBe(first);
    expect(other({ id: 'a', n: 2 })).toBe('{"id":"a"}');
  });
});

import { describe, expect, it } from 'vitest';
import { writeKeyInText } from './auth.js';

describe('the write key of a batch body held as text', () => {
  it('is found without parsing when the body names one', () => {
    expect(writeKeyInText('{"writeKey":"wk_1","batch":[]}')).toBe('wk_1');
    expect(writeKeyInText('{"batch":[{"type":"page"}], "writeKey" : "wk_2"}')).toBe('wk_2');
    expect(writeKeyInText('{"batch":[]}')).toBeUndefined();
  });

  it('is the top-level one when messages carry other "writeKey" values', () => {
    const text = JSON.stringify({ batch: [{ type: 'track', event: 'E', properties: { writeKey: 'not-this' } }], writeKey: 'wk_top' });
    expect(writeKeyInText(text)).toBe('wk_top');
    expect(writeKeyInText(JSON.stringify({ writeKey: 'wk\\"odd', batch: [] }))).toBe('wk\\"odd');
    expect(writeKeyInText('{"writeKey":"a","writeKey2":1, "batch":[{"writeKey":"b"}]')).toBeUndefined(); // not JSON: no key
  });
});

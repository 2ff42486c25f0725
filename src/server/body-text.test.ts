import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TactError } from '../errors/tact-error.js';
import { bodyText, charsetOf } from './body-text.js';

const bytes = (...b: number[]) => Buffer.from(b);
/** What bodyText refuses, as [code, status, charset named, offset named], or the text it reads. */
const read = (body: Buffer, type?: string) => {
  try {
    return bodyText(body, type);
  } catch (err) {
    if (!(err instanceof TactError)) throw err;
    const m = /not valid (\S+?)[,\s(].*offset (\d+)/.exec(err.message) ?? /charset `(.*)`/.exec(err.message);
    return [err.code, err.statusCode, ...(m ? m.slice(1).map((x) => (/^\d+$/.test(x) ? Number(x) : x)) : [])];
  }
};

describe('charsetOf', () => {
  it('reads the charset parameter as a token or a quoted string, its name in any case', () => {
    expect(charsetOf(undefined)).toBeUndefined();
    expect(charsetOf('application/json')).toBeUndefined();
    expect(charsetOf('application/json; boundary=x')).toBeUndefined();
    expect(charsetOf('application/json;charset=utf-8')).toBe('utf-8');
    expect(charsetOf('text/plain; format=flowed; CharSet=ISO-8859-1')).toBe('ISO-8859-1');
    expect(charsetOf('text/plain; charset="windows-1252"; format=flowed')).toBe('windows-1252');
    expect(charsetOf('text/plain; charset="utf\\-8"')).toBe('utf-8');
  });
});

describe('bodyText', () => {
  it('reads UTF-8 when no charset is named, and when UTF-8 is, under any of its labels', () => {
    const text = 'Zoë 😀 {"a":1}';
    for (const type of [undefined, 'application/json', 'text/plain; charset=UTF-8', 'text/plain; charset="utf8"', 'application/json; charset=unicode-1-1-utf-8']) {
      expect(read(Buffer.from(text), type), String(type)).toBe(text);
    }
  });

  it('drops a UTF-8 byte order mark before the text, and one only', () => {
    const bom = [0xef, 0xbb, 0xbf];
    expect(read(bytes(...bom, 0x7b, 0x7d))).toBe('{}');
    expect(read(bytes(...bom, ...bom, 0x31), 'application/json; charset=utf-8')).toBe('\ufeff1');
    expect(read(bytes(...bom))).toBe('');
  });

  it('names the offset of the first byte of the first sequence that is not UTF-8', () => {
    // Ill-formed sequences from the Unicode Standard 16.0, §3.9 (Table 3-7, well-formed UTF-8 byte sequences).
    const cases: [number[], number][] = [
      [[0x41, 0x80], 1], // a continuation byte with no lead
      [[0x41, 0xc3, 0x28], 1], // a lead byte followed by no continuation
      [[0xe0, 0x80, 0x80], 0], // an over-long form of U+0000
      [[0xc0, 0xaf], 0], // an over-long "/"
      [[0x61, 0x62, 0xed, 0xa0, 0x80], 2], // an encoded surrogate (U+D800)
      [[0xf4, 0x90, 0x80, 0x80], 0], // past U+10FFFF
      [[0x41, 0x42, 0xe2, 0x82], 2], // the body ends inside "€" (E2 82 AC)
      [[0xff], 0],
    ];
    for (const [b, offset] of cases) {
      expect(read(bytes(...b)), b.map((x) => x.toString(16)).join(' ')).toEqual(['invalid_encoding', 400, 'UTF-8', offset]);
      expect(read(bytes(...b), 'text/plain; charset=utf-8')).toEqual(['invalid_encoding', 400, 'UTF-8', offset]);
    }
    const long = Buffer.concat([Buffer.from('x'.repeat(300_000)), bytes(0xfc), Buffer.from('y'.repeat(200_000))]);
    expect(read(long)).toEqual(['invalid_encoding', 400, 'UTF-8', 300_000]);
  });

  it('reads windows-1252 under its labels (latin1 and iso-8859-1 among them), 0x80–0x9F as the Encoding Standard maps them', () => {
    // index-windows-1252, WHATWG Encoding Standard (https://encoding.spec.whatwg.org/index-windows-1252.txt).
    const mapped = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const expected = Array.from({ length: 256 }, (_, i) => (i >= 0x80 && i <= 0x9f ? mapped[i - 0x80] : String.fromCharCode(i))).join('');
    for (const label of ['windows-1252', 'ISO-8859-1', 'latin1', 'cp1252', 'us-ascii']) {
      expect(read(all, `text/plain; charset=${label}`), label).toBe(expected);
    }
  });

  it('reads UTF-16 and the other charsets TextDecoder knows, and names the offset of a byte that is not of them', () => {
    expect(read(Buffer.from('Zoë 😀', 'utf16le'), 'application/json; charset=utf-16le')).toBe('Zoë 😀');
    expect(read(Buffer.from('\ufeffZoë', 'utf16le'), 'application/json; charset=utf-16')).toBe('Zoë');
    expect(read(Buffer.from('Zoë', 'utf16le').swap16(), 'application/json; charset=UTF-16BE')).toBe('Zoë');
    expect(read(bytes(0xa1, 0xa2), 'text/plain; charset=iso-8859-2')).toBe('Ą˘');
    expect(read(bytes(0x82, 0xa0), 'text/plain; charset=shift_jis')).toBe('あ');
    expect(read(bytes(0x41, 0x00, 0x42), 'application/json; charset=utf-16le')).toEqual(['invalid_encoding', 400, 'UTF-16LE', 2]); // half a code unit at the end
    expect(read(bytes(0x41, 0x00, 0x00, 0xdc, 0x41, 0x00), 'application/json; charset=utf-16le')).toEqual(['invalid_encoding', 400, 'UTF-16LE', 2]); // a lone trail surrogate
    expect(read(bytes(0x41, 0x00, 0x00, 0xd8, 0x41, 0x00), 'application/json; charset=utf-16le')).toEqual(['invalid_encoding', 400, 'UTF-16LE', 2]); // a lead surrogate with no trail
    expect(read(bytes(0x41, 0x81, 0x20), 'text/plain; charset=Shift_JIS')).toEqual(['invalid_encoding', 400, 'SHIFT_JIS', 1]); // a lead byte with no trail byte
  });

  it('refuses a charset TextDecoder does not know 415, naming it as sent', () => {
    // (Not x-user-defined: Node 24's TextDecoder reads it, Node 20's and 22's do not.)
    for (const label of ['utf-7', 'EBCDIC-037', 'no-such-charset', '']) {
      expect(read(Buffer.from('{}'), `application/json; charset="${label}"`), label).toEqual(['unsupported_charset', 415, label]);
    }
  });
});

describe('the offset an invalid_encoding names', () => {
  it('is where the longest UTF-8 prefix ends: the bytes before it are UTF-8, and no character begins at it', () => {
    // Bytes mostly ASCII and UTF-8, with a byte anywhere changed to any value.
    const bodies = fc.tuple(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([s, at, byte]) => {
      const b = Buffer.from(s);
      if (b.length) b[at % b.length] = byte;
      return b;
    });
    fc.assert(fc.property(bodies, (b) => {
      fc.pre(!isUtf8(b));
      const r = read(b);
      expect(r).toEqual(['invalid_encoding', 400, 'UTF-8', expect.any(Number)]);
      const at = (r as number[])[3];
      expect(isUtf8(b.subarray(0, at))).toBe(true);
      for (let len = 1; len <= 4; len++) expect(at + len <= b.length && isUtf8(b.subarray(at, at + len))).toBe(false);
    }), { numRuns: 2000 });
  });
});

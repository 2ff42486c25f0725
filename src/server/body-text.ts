import { isUtf8 } from 'node:buffer';
import { utf8Faults } from '../collect/import/utf8.js';
import { TactError } from '../errors/tact-error.js';

/**
 * The text of a request body, read in the charset its `Content-Type` header names — UTF-8 when it
 * names none — for the JSON parsers (app.ts, and collection's batch routes). An unknown charset is
 * an `unsupported_charset` (415), bytes that are not of the charset an `invalid_encoding` (400)
 * naming the byte offset: nothing is decoded with U+FFFD standing in for what was sent. A UTF-8
 * byte order mark before the text is dropped (RFC 8259 §8.1 lets a JSON parser ignore it), as
 * TextDecoder drops a UTF-16 one.
 *
 * UTF-8, the hot path (tens of thousands of events a second), is checked by simdutf (`isUtf8`)
 * and decoded once; another charset is decoded only when the header names it. Labels are the
 * WHATWG Encoding Standard's, case-insensitive: `latin1`, `iso-8859-1` and `us-ascii` mean
 * windows-1252 there, as in browsers.
 *
 * @example
 * bodyText(Buffer.from([0x4d, 0xfc]), 'text/plain; charset=ISO-8859-1'); // "Mü"
 */
export function bodyText(body: Buffer, contentType: string | undefined): string {
  const label = charsetOf(contentType);
  const decoder = label === undefined ? undefined : decoderFor(label);
  if (decoder === null) throw new TactError('unsupported_charset', { charset: (label as string).slice(0, 40) });
  if (decoder === undefined || decoder.encoding === 'utf-8') {
    if (!isUtf8(body)) throw invalid(body, decoder ?? utf8Decoder(), label !== undefined);
    const bom = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
    return body.toString('utf8', bom ? 3 : 0);
  }
  if (decoder.encoding === 'windows-1252') return windows1252(body);
  try {
    return decoder.decode(body);
  } catch {
    throw invalid(body, decoder, true);
  }
}

/**
 * The `charset` parameter of a `Content-Type` header value (RFC 9110 §8.3: a token or a quoted
 * string; parameter names are case-insensitive), or undefined when it has none.
 *
 * @example
 * charsetOf('application/json; Charset="utf-8"'); // "utf-8"
 */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType || contentType.indexOf(';') === -1) return undefined;
  const m = /;\s*charset\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/i.exec(contentType);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

// One fatal decoder per label asked for (null: a label TextDecoder does not know); a header can
// name anything, so the map is bounded.
const decoders = new Map<string, TextDecoder | null>();
let utf8: TextDecoder | undefined;
const utf8Decoder = () => (utf8 ??= new TextDecoder('utf-8', { fatal: true }));

function decoderFor(label: string): TextDecoder | null {
  const key = label.trim().toLowerCase();
  let d = decoders.get(key);
  if (d !== undefined) return d;
  try {
    d = new TextDecoder(key, { fatal: true });
  } catch {
    d = null;
  }
  if (decoders.size < 64) decoders.set(key, d);
  return d;
}

/**
 * index-windows-1252 of the WHATWG Encoding Standard for bytes 0x80–0x9F (the others are their own
 * code points). Node's TextDecoder decodes these bytes as ISO-8859-1 since 20.18.3 (nodejs/node#60888).
 */
const W1252 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
].map((c) => String.fromCharCode(c));

function windows1252(body: Buffer): string {
  return body.toString('latin1').replace(/[\x80-\x9f]/g, (c) => W1252[c.charCodeAt(0) - 0x80]);
}

function invalid(body: Buffer, decoder: TextDecoder, declared: boolean): TactError {
  // simdutf and the Unicode Standard's table agree; the generic search stands in should they not.
  // UTF-8's faults by the Unicode Standard's table (§3.9, Table 3-7), as simdutf checks them: one pass, on the failure path only.
  const utf8At = decoder.encoding === 'utf-8' ? (utf8Faults(body, false).faults[0] ?? -1) : -1;
  return new TactError('invalid_encoding', {
    charset: decoder.encoding.toUpperCase(),
    said: declared ? ', as its `Content-Type` header says it is' : ' (its `Content-Type` header names no charset, and UTF-8 is read then)',
    offset: utf8At >= 0 ? utf8At : firstBadByte(body, decoder),
  });
}

/**
 * Where the first character that is not of the decoder's charset begins, counting bytes from 0,
 * for charsets other than UTF-8. The failure path only: prefixes decoded as a stream fail from the
 * byte where the decoder meets the fault (binary search), and the character it is in begins at
 * the last boundary before it that a whole prefix ends on; a body that ends inside a character is
 * found the same way.
 */
function firstBadByte(body: Buffer, decoder: TextDecoder): number {
  // A fresh decoder for each try: one that failed, or stopped inside a character, holds state.
  const fails = (end: number, stream: boolean) => {
    try {
      new TextDecoder(decoder.encoding, { fatal: true }).decode(body.subarray(0, end), { stream });
      return false;
    } catch {
      return true;
    }
  };
  // The shortest prefix whose decoding fails before its end; none: the body ends inside a character.
  let lo = 0;
  let hi = body.length + 1;
  if (fails(body.length, true)) {
    hi = body.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (fails(mid, true)) hi = mid;
      else lo = mid + 1;
    }
  }
  // A character is at most 4 bytes in every charset TextDecoder reads.
  for (let start = hi - 1; start >= Math.max(0, hi - 5); start--) if (!fails(start, false)) return start;
  return hi - 1;
}

import { Transform, type TransformCallback } from 'node:stream';

/** How to mend a file that is not UTF-8, said with each line it spoils. */
export const NOT_UTF8_HINT = 'convert the file to UTF-8 first (e.g. iconv -f WINDOWS-1252 -t UTF-8)';

/**
 * Offsets of the bytes that begin no well-formed UTF-8 sequence (RFC 3629 §4; the Unicode
 * Standard's table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF). With `partial`
 * (more bytes follow), a sequence cut off by the end of `b` is not a fault: `end` is where it
 * starts, for the caller to prepend to the next bytes.
 *
 * @example
 * utf8Faults(Buffer.from([0x4d, 0xfc, 0x6c]), false); // { faults: [1], end: 3 }
 */
export function utf8Faults(b: Uint8Array, partial: boolean): { faults: number[]; end: number } {
  const faults: number[] = [];
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i += 1;
      continue;
    }
    let len = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    }
    if (len === 0) {
      faults.push(i);
      i += 1;
      continue;
    }
    let k = 1;
    for (; k < len && i + k < n; k++) {
      const d = b[i + k];
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) break;
    }
    if (k === len) i += len;
    else if (i + k === n && partial) return { faults, end: i };
    else {
      faults.push(i);
      i += k;
    }
  }
  return { faults, end: n };
}

/** Where a multi-byte character cut off by the end of `b` starts (b.length when none is). */
export function incompleteTail(b: Uint8Array): number {
  for (let i = b.length - 1; i >= Math.max(0, b.length - 3); i--) {
    const c = b[i];
    if (c < 0x80) return b.length;
    if (c >= 0xc0) {
      const len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return b.length - i < len ? i : b.length;
    }
  }
  return b.length;
}

/**
 * Passes a UTF-8 stream through, and turns one that starts with a UTF-16 byte order mark (Excel's
 * "Unicode" text, PowerShell's default output) into UTF-8 without the mark: the line counts, the
 * UTF-8 check and the CSV parser then read every file alike.
 */
export class FromUtf16 extends Transform {
  /** undefined: the first two bytes are not in yet; null: not UTF-16. */
  private decoder: TextDecoder | null | undefined;
  private head: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.decoder === undefined) {
      const b = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
      if (b.length < 2) {
        this.head = b;
        return done();
      }
      this.head = Buffer.alloc(0);
      const le = b[0] === 0xff && b[1] === 0xfe;
      const be = b[0] === 0xfe && b[1] === 0xff;
      // The decoder drops the mark itself.
      this.decoder = le ? new TextDecoder('utf-16le') : be ? new TextDecoder('utf-16be') : null;
      chunk = b;
    }
    if (this.decoder === null) return done(null, chunk);
    done(null, Buffer.from(this.decoder.decode(chunk, { stream: true }), 'utf8'));
  }

  override _flush(done: TransformCallback): void {
    if (this.decoder === undefined && this.head.length) return done(null, this.head);
    const rest = this.decoder ? this.decoder.decode() : '';
    done(null, rest ? Buffer.from(rest, 'utf8') : undefined);
  }
}

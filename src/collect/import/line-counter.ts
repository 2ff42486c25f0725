import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { incompleteTail, utf8Faults } from './utf8.js';

const CR = 0x0d;
const LF = 0x0a;

/**
 * Passes the bytes through and answers which line a byte offset is on. Offsets are asked in
 * increasing order, so only the bytes not yet counted are kept. It also finds the bytes that are
 * not UTF-8 as they pass (the parser would decode them as U+FFFD) and, as counting reaches them,
 * the lines they are on.
 */
export class LineCounter extends Transform {
  private chunks: Buffer[] = [];
  /** Offset of chunks[0][0], and of the counted position within it. */
  private base = 0;
  private at = 0;
  private breaks = 0;
  private prev = 0;
  /** Bytes received, the end of a character cut off by the last chunk's end, and faults not yet counted to. */
  private received = 0;
  private carry: Buffer = Buffer.alloc(0);
  private faults: number[] = [];
  private nextFault = Infinity;
  /** Lines holding a fault, counted to but not yet asked about (faultIn). */
  private faultLines: number[] = [];

  /** Set by stop(): nothing more is passed on or kept. */
  private stopped = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    // Stopped: the callback is left uncalled, which holds the reading of the file until the
    // pipeline is destroyed (reading on to its end only to drop each chunk would be wasted).
    if (this.stopped) return;
    this.chunks.push(chunk);
    const start = this.received - this.carry.length;
    this.received += chunk.length;
    const joined = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = incompleteTail(joined);
    const body = joined.subarray(0, cut);
    if (!isUtf8(body)) this.fault(utf8Faults(body, false).faults.map((f) => start + f));
    this.carry = Buffer.from(joined.subarray(cut));
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    // A character the file ends in the middle of.
    if (this.carry.length) this.fault([this.received - this.carry.length]);
    done();
  }

  private fault(offsets: number[]): void {
    for (const f of offsets) this.faults.push(f);
    this.nextFault = this.faults[0] ?? Infinity;
  }

  /** Whether a byte that is not UTF-8 is on a line from `first` to `last` (counted to already; asked in increasing order). */
  faultIn(first: number, last: number): boolean {
    while (this.faultLines.length && this.faultLines[0] < first) this.faultLines.shift();
    return this.faultLines.length > 0 && this.faultLines[0] <= last;
  }

  /** The 1-based line the byte at `offset` is on. */
  lineAt(offset: number): number {
    while (this.at < offset && this.chunks.length) {
      const c = this.chunks[0];
      const stop = Math.min(offset - this.base, c.length);
      // A break is a CR, or an LF not right after a CR; the loop that also looks for faults only
      // where one is (most files have none).
      if (this.nextFault >= this.base + stop) {
        for (let i = this.at - this.base; i < stop; i++) {
          if (c[i] === CR || (c[i] === LF && this.prev !== CR)) this.breaks += 1;
          this.prev = c[i];
        }
      } else {
        for (let i = this.at - this.base; i < stop; i++) {
          if (c[i] === CR || (c[i] === LF && this.prev !== CR)) this.breaks += 1;
          else if (this.base + i === this.nextFault) {
            if (this.faultLines[this.faultLines.length - 1] !== this.breaks + 1) this.faultLines.push(this.breaks + 1);
            this.faults.shift();
            this.nextFault = this.faults[0] ?? Infinity;
          }
          this.prev = c[i];
        }
      }
      this.at = this.base + stop;
      if (stop === c.length) {
        this.chunks.shift();
        this.base += c.length;
      }
    }
    return this.breaks + 1;
  }

  /**
   * The line of the first byte at or after `offset` that is no line break: where a record after
   * one that ended at `offset` starts (blank lines are skipped). It counts up to that byte.
   */
  firstLineFrom(offset: number): number {
    let at = Math.max(offset, this.at);
    let base = this.base;
    for (const c of this.chunks) {
      for (let i = Math.max(0, at - base); i < c.length; i++, at++) if (c[i] !== CR && c[i] !== LF) return this.lineAt(at);
      base += c.length;
    }
    return this.lineAt(at);
  }

  /** Drops what is held and passes nothing more on: the reader stops here. */
  stop(): void {
    this.stopped = true;
    this.chunks = [];
    this.faults = [];
  }

  /** The byte just before `offset` (not yet counted), or undefined. */
  byteBefore(offset: number): number | undefined {
    let base = this.base;
    for (const c of this.chunks) {
      if (offset - 1 < base + c.length) return offset - 1 >= base ? c[offset - 1 - base] : undefined;
      base += c.length;
    }
    return undefined;
  }
}

import { describe, expect, it } from 'vitest';
import { readBatch } from './batch-body.js';
import { BatchReader, defaultParseWorkers } from './parse-pool.js';
import { slimMessage, type Projection } from './slim.js';

const P: Projection = { epoch: 1, wholeContext: false, properties: ['product_id'] };

const batchText = (n: number, prefix: string) => JSON.stringify({
  sentAt: '2026-12-01T10:00:05.000Z',
  batch: Array.from({ length: n }, (_, i) => i % 7 === 3
    ? { type: 'track', userId: `u${i}` } // no event: rejected
    : { type: 'track', userId: `u${i}`, event: 'Product Viewed', messageId: `${prefix}-${i}`, timestamp: '2026-12-01T10:00:00.000Z', properties: { product_id: `sku-${i}` }, context: { page: { path: `/p/${i}` }, timezone: 'Europe/Paris' } }),
});

describe('reading batches in a parse worker', () => {
  it('gives what the main thread would, each message slimmed, and uses the worker only for large bodies', async () => {
    const reader = new BatchReader({ workers: 1, minChars: 2000 });
    try {
      const large = batchText(40, 'L');
      const small = batchText(2, 'S');
      const [viaWorker, onMain] = await Promise.all([reader.read(large, 123, P), reader.read(small, 123, P)]);
      expect(reader.counts).toEqual({ worker: 1, main: 1 });
      const direct = readBatch(large, 123);
      expect(direct.ok && viaWorker.ok).toBe(true);
      if (!direct.ok || !viaWorker.ok) return;
      expect(viaWorker.count).toBe(40);
      expect(viaWorker.rejected).toEqual(direct.rejected);
      expect(viaWorker.items).toEqual(direct.items.map((i) => ({ ...i, message: slimMessage(i.message, P), projected: 1 })));
      expect(onMain).toEqual(readBatch(small, 123));
      // Faults come back as faults.
      expect(await reader.read(`{"batch":[${'1,'.repeat(1500)}`, 1, P)).toEqual(readBatch(`{"batch":[${'1,'.repeat(1500)}`, 1));
    } finally {
      await reader.close();
    }
  });

  it('answers many batches in flight, each with its own messages', async () => {
    const reader = new BatchReader({ workers: 2, minChars: 0 });
    try {
      const texts = Array.from({ length: 30 }, (_, k) => batchText(10 + k, `b${k}`));
      const reads = await Promise.all(texts.map((t) => reader.read(t, 5, P)));
      reads.forEach((r, k) => {
        expect(r.ok && r.count).toBe(10 + k);
        if (r.ok) expect(r.items.every((it) => it.message.messageId.startsWith(`b${k}-`))).toBe(true);
      });
      expect(reader.counts.worker).toBe(30);
    } finally {
      await reader.close();
    }
  });

  it('loses nothing when the workers stop with batches in flight: those are read on the main thread', async () => {
    const reader = new BatchReader({ workers: 1, minChars: 0 });
    const text = batchText(200, 'c');
    const pending = [reader.read(text, 7, P), reader.read(text, 7, P), reader.read(text, 7, P)];
    await reader.close();
    const reads = await Promise.all(pending);
    for (const r of reads) expect(r.ok && r.items.length).toBe(171);
    // After closing, every batch is read on the main thread.
    expect(await reader.read(text, 7, P)).toEqual(readBatch(text, 7));
  });

  it('takes its size from TACT_PARSE_WORKERS and refuses a value that is not a count', () => {
    expect(defaultParseWorkers({ TACT_PARSE_WORKERS: '0' })).toBe(0);
    expect(defaultParseWorkers({ TACT_PARSE_WORKERS: '3' })).toBe(3);
    expect(() => defaultParseWorkers({ TACT_PARSE_WORKERS: 'two' })).toThrow(/TACT_PARSE_WORKERS must be a whole number/);
    // Number() would read these as 1: a whole number is written in digits.
    for (const v of ['0x1', '1e0', ' 1', '+1', '1.0']) expect(() => defaultParseWorkers({ TACT_PARSE_WORKERS: v })).toThrow(/TACT_PARSE_WORKERS must be a whole number/);
  });
});

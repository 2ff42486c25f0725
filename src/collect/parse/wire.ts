import type { Message } from '../message.js';
import type { BatchFault, BatchItem, BatchRead, Rejection } from './batch-body.js';
import { slimMessage, type Projection } from './slim.js';

/**
 * A batch read in a parse worker, as it crosses to the main thread: strings and numbers only
 * (structured clone of message objects costs more on both ends than their JSON; ADR 0004). The
 * slim messages travel as one JSON array, parsed with one call.
 */
export interface PackedBatch {
  fault?: BatchFault;
  /** The settings epoch of the projection the slim messages follow. */
  epoch: number;
  count: number;
  indexes: number[];
  /** Each accepted message's JSON as stored. */
  jsons: string[];
  /** JSON array of the accepted messages' slim projections, in the same order. */
  slims: string;
  rejected: Rejection[];
}

/** Packs a batch read for the trip to the main thread, each message projected by `p`. */
export function packBatch(r: BatchRead, p: Projection): PackedBatch {
  if (!r.ok) return { fault: r.fault, epoch: p.epoch, count: 0, indexes: [], jsons: [], slims: '[]', rejected: [] };
  const indexes: number[] = [];
  const jsons: string[] = [];
  const slims: Message[] = [];
  for (const it of r.items) {
    indexes.push(it.index);
    jsons.push(it.json);
    slims.push(slimMessage(it.message, p));
  }
  return { epoch: p.epoch, count: r.count, indexes, jsons, slims: JSON.stringify(slims), rejected: r.rejected };
}

/** The main thread's side: the batch read, each message its projection (marked with the projection's epoch). */
export function unpackBatch(p: PackedBatch): BatchRead {
  if (p.fault) return { ok: false, fault: p.fault };
  const messages = JSON.parse(p.slims) as Message[];
  const items: BatchItem[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) items[i] = { index: p.indexes[i], message: messages[i], json: p.jsons[i], projected: p.epoch };
  return { ok: true, count: p.count, items, rejected: p.rejected };
}

/**
 * A parse worker's thread (parse-pool.ts): reads batch bodies and answers them packed. It holds
 * nothing between requests.
 */
import { parentPort } from 'node:worker_threads';
import { readBatch } from './batch-body.js';
import type { Projection } from './slim.js';
import { packBatch } from './wire.js';

export interface ParseRequest {
  id: number;
  text: string;
  receivedAt: number;
  projection: Projection;
}

const port = parentPort;
if (!port) throw new Error('parse-worker.ts runs as a worker thread');
port.on('message', (req: ParseRequest) => {
  try {
    port.postMessage({ id: req.id, batch: packBatch(readBatch(req.text, req.receivedAt), req.projection) });
  } catch (err) {
    port.postMessage({ id: req.id, error: (err as Error).message ?? String(err) });
  }
});

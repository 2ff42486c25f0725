/**
 * The worker thread of `runOffThread` (off-thread.ts): imports the module it is given, calls the
 * named export with the arguments, posts back its result or the message of what it threw. One
 * call per worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { OffThreadAnswer, OffThreadCall } from './off-thread.js';

const port = parentPort;
if (!port) throw new Error('off-thread-worker.ts runs as a worker thread');
const call = workerData as OffThreadCall;
const answer = (a: OffThreadAnswer) => port.postMessage(a);
try {
  const fn = ((await import(call.module)) as Record<string, unknown>)[call.name];
  if (typeof fn !== 'function') throw new Error(`${call.module} exports no function \`${call.name}\``);
  const result: unknown = await (fn as (...args: unknown[]) => unknown)(...call.args);
  try {
    answer({ result });
  } catch (err) {
    answer({ error: `\`${call.name}\`'s result could not be sent back from its worker thread: ${(err as Error).message}` });
  }
} catch (err) {
  answer({ error: err instanceof Error ? err.message : String(err) });
}

/**
 * A worker thread of `runOffThread` (off-thread.ts, pooled by off-thread-pool.ts): for each call it
 * is sent, one at a time, imports the module (once: the import is cached for the next calls), calls
 * the named export with the arguments, and posts back its result or the message of what it threw.
 * The slices of an argument sent in slices (off-thread-send.ts) come before their call.
 */
import { parentPort } from 'node:worker_threads';
import type { OffThreadAnswer } from './off-thread.js';
import type { OffThreadCall, OffThreadPart } from './off-thread-send.js';

const port = parentPort;
if (!port) throw new Error('off-thread-worker.ts runs as a worker thread');

/** The slices received of the next call's arguments, by argument. */
let parts = new Map<number, unknown[]>();

async function answerTo(call: OffThreadCall): Promise<OffThreadAnswer> {
  try {
    const args = [...call.args];
    for (const i of call.sliced ?? []) args[i] = parts.get(i) ?? [];
    parts = new Map();
    const fn = ((await import(call.module)) as Record<string, unknown>)[call.name];
    if (typeof fn !== 'function') throw new Error(`${call.module} exports no function \`${call.name}\``);
    return { result: await (fn as (...args: unknown[]) => unknown)(...args) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

port.on('message', (m: OffThreadCall | OffThreadPart) => {
  if ('items' in m) {
    const got = parts.get(m.arg);
    if (got) for (const item of m.items) got.push(item);
    else parts.set(m.arg, m.items);
    return;
  }
  void answerTo(m).then((a) => {
    try {
      port.postMessage(a);
    } catch (err) {
      port.postMessage({ error: `\`${m.name}\`'s result could not be sent back from its worker thread: ${(err as Error).message}` } satisfies OffThreadAnswer);
    }
  });
});

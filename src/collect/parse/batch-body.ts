import { jsonErrorDetail } from '../../config/text-position.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import type { Submitted } from '../ingestor.js';
import { batchSentAtProblem, normalizeMessage } from '../normalize.js';

/** One rejected message of a batch: where it was, its id, and why. */
export interface Rejection {
  index: number;
  messageId?: string;
  problems: FieldProblem[];
}

/** One accepted message of a batch: its place in the batch, and what the ingestor takes. */
export interface BatchItem extends Submitted {
  index: number;
}

/** Why a batch body could not be read at all. */
export type BatchFault = { code: 'invalid_json'; detail: string } | { code: 'invalid_batch'; problem: FieldProblem };

/** A batch body read and every message in it checked. */
export type BatchRead =
  | { ok: false; fault: BatchFault }
  | { ok: true; count: number; items: BatchItem[]; rejected: Rejection[] };

/**
 * Reads the text of a Segment batch request (`{"batch":[…], sentAt, context, integrations}`) and
 * checks each message against Segment's spec (normalize.ts). Pure: it runs on the request's own
 * thread or in a parse worker (parse-pool.ts) with the same result.
 *
 * @example
 * readBatch('{"batch":[{"type":"track","userId":"u1","event":"Signed Up"}]}', Date.now());
 */
export function readBatch(text: string, receivedAt: number): BatchRead {
  if (text.length === 0) return { ok: false, fault: { code: 'invalid_json', detail: 'the body is empty' } };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return { ok: false, fault: { code: 'invalid_json', detail: jsonErrorDetail(err, text) } };
  }
  const problem = batchProblem(body);
  if (problem) return { ok: false, fault: { code: 'invalid_batch', problem } };
  const b = body as { batch: unknown[]; sentAt?: unknown; context?: unknown; integrations?: unknown };
  const env = { receivedAt, sentAt: b.sentAt, context: b.context, integrations: b.integrations };
  const items: BatchItem[] = [];
  const rejected: Rejection[] = [];
  for (let index = 0; index < b.batch.length; index++) {
    const n = normalizeMessage(b.batch[index], undefined, env);
    if (n.ok) items.push({ index, message: n.message, json: n.json });
    else rejected.push({ index, messageId: n.messageId, problems: n.problems });
  }
  return { ok: true, count: b.batch.length, items, rejected };
}

/**
 * What is wrong with a body that is JSON but no batch: no `batch` list (absent or null, another
 * type, no object at all), a `context` or `integrations` that is not an object, or a `sentAt` that
 * is no time (it stands for every message without its own: refused once, naming the batch's).
 * Checked here, so the main thread and a parse worker answer alike.
 */
function batchProblem(body: unknown): FieldProblem | undefined {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { field: 'batch', message: `A batch body must be a JSON object holding the messages as its \`batch\` list ({"batch": [ … ]}); it was ${kind(body)}.` };
  }
  const batch = (body as { batch?: unknown }).batch;
  if (Array.isArray(batch)) {
    for (const key of ['context', 'integrations'] as const) {
      const v = (body as Record<string, unknown>)[key];
      if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) {
        return { field: key, message: `The batch's \`${key}\` must be a JSON object (it is merged under each message's own); it was ${kind(v)}.` };
      }
    }
    return batchSentAtProblem((body as Record<string, unknown>).sentAt);
  }
  if (batch === undefined || batch === null) return { field: 'batch', message: 'The `batch` property is required and must be a list of messages. It was not present on the data you sent.' };
  return { field: 'batch', message: `The \`batch\` property must be a list of messages; it was ${kind(batch)}.` };
}

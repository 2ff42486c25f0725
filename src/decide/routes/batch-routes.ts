import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../../collect/schemas.js';
import { TactError, validationError } from '../../errors/tact-error.js';
import { requireKey } from '../../server/auth.js';
import { errorForClient } from '../../server/errors.js';
import type { Tact } from '../../server/tact.js';
import { runAudience, type AudienceRequest } from '../batch/audience-run.js';
import { AHEAD_HEADER, MAX_AHEAD, RUN_HEADER } from '../batch/run-header.js';
import { TakenWindow } from '../batch/taken-window.js';
import { decideSchemas } from './schemas.js';

/** One line of the stream (AudienceLine, audience-run.ts); the stream is not serialized through this schema. */
const LINE = {
  type: 'object',
  required: ['type'],
  additionalProperties: true,
  properties: {
    type: { type: 'string', enum: ['progress', 'decision', 'done', 'error'], description: '`progress` and `done` carry the counts (`scanned`, `evaluated`, `total`, `matched`, `decided`, `actions`, `audienceErrors`, `audienceError`), `done` also `stoppedBy` (`end`, `limit`, `maxActions`); `decision` carries `subject`, `profileId`, the person\'s `userId` and `email` (the oldest of each; absent when the profile has none), `decision` and, on outbound channels, `sendTime`; `error` carries `error` (a code of the error catalogue), `message` (its sentence; for a fault of the server `internal_subject` — the decision for that subject failed and the run went on — or `internal_stream` — the stream stopped there —, the details in the server log), `errorId` and the `profileId` it is about, when one.' },
    subject: { type: 'string' }, profileId: { type: 'string' }, userId: { type: 'string' }, email: { type: 'string' }, decision: { type: 'object', additionalProperties: true }, sendTime: { type: 'object', additionalProperties: true },
    scanned: { type: 'integer' }, evaluated: { type: 'integer', description: 'Of the profiles scanned, those the audience was evaluated on (a profile merged into another is skipped).' }, total: { type: 'integer' }, matched: { type: 'integer' }, decided: { type: 'integer' }, actions: { type: 'integer' }, audienceErrors: { type: 'integer' }, audienceError: { type: 'string' },
    stoppedBy: { type: 'string', enum: ['end', 'limit', 'maxActions', 'stopped'] }, error: { type: 'string' }, message: { type: 'string' }, errorId: { type: 'string' },
  },
} as const;

const TAKEN_SCHEMA = {
  tags: ['decide'],
  summary: 'Tell a paced batch run how many of its decisions the client has taken, so that it decides on',
  description: `For a run asked with the \`${AHEAD_HEADER}: N\` request header (its answer carries the header back when the server paces the run): the run makes at most N decisions ahead of the \`taken\` count last told — the decision lines the client has delivered to its webhook or written to its failed file, in all since the run began. Each decision is logged and counts against caps and budgets, so a slow or failing webhook holds the run back instead of the run deciding thousands ahead. A count lower than one told before changes nothing. A run that has ended answers \`ended\`; a run this server process does not know is a 404.`,
  params: { type: 'object', properties: { run: { type: 'string', maxLength: 64 } }, required: ['run'] },
  body: { type: 'object', required: ['taken'], additionalProperties: false, properties: { taken: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'The decision lines of the run the client has taken, in all.' } } },
  response: {
    200: { type: 'object', required: ['run', 'taken', 'state'], properties: { run: { type: 'string' }, taken: { type: 'integer', description: 'The count the run goes by (the highest told).' }, state: { type: 'string', enum: ['running', 'ended'] } } },
    400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema,
  },
} as const;

/**
 * The window a run was asked for by its request's {@link AHEAD_HEADER} header (none without it).
 *
 * @example
 * windowOf({ 'tact-batch-ahead': '200' }); // a TakenWindow of 200
 */
function windowOf(headers: Record<string, string | string[] | undefined>): TakenWindow | undefined {
  const raw = headers[AHEAD_HEADER];
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw.join(',') : raw;
  const n = /^\d{1,12}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(n >= 1 && n <= MAX_AHEAD)) throw validationError([{ field: AHEAD_HEADER, message: `The \`${AHEAD_HEADER}\` header must be a whole number from 1 to ${MAX_AHEAD} (the decisions the run may make ahead of those the client has taken); got \`${text}\`.` }]);
  return new TakenWindow(n);
}

/** How many ended runs are remembered (their stop answers `ended`), and for how long. */
const ENDED_KEPT = 10_000;
const ENDED_MS = 24 * 3_600_000;

const STOP_SCHEMA = {
  tags: ['decide'],
  summary: 'Stop a batch run: no more subjects are decided for, and its stream ends once the decisions in flight are sent',
  description: `The run is named by the \`${RUN_HEADER}\` header of its POST /v1/decide/batch answer. The stream goes on with the decisions already made and ends with \`{"type":"done","stoppedBy":"stopped"…}\`: a client that reads it to that line has every decision the run made (each is logged and counts against caps and budgets). A run that has already ended answers \`ended\`; a run this server process does not know (another process's, or one before a restart) is a 404.`,
  params: { type: 'object', properties: { run: { type: 'string', maxLength: 64 } }, required: ['run'] },
  response: {
    200: { type: 'object', required: ['run', 'state'], properties: { run: { type: 'string' }, state: { type: 'string', enum: ['stopping', 'ended'], description: '`stopping`: no more subjects are decided for; `ended`: the run had already ended (its stream holds every decision it made).' } } },
    400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema,
  },
} as const;

/**
 * POST /v1/decide/batch: decisions for an audience, streamed as NDJSON (used by `tact decide-batch`);
 * POST /v1/decide/batch/{run}/stop stops one.
 *
 * A client stopped (Ctrl-C) must not just go away: the server decides ahead of what the client
 * has read, by as much as the socket and fetch buffers hold (megabytes: thousands of
 * decisions), and those decisions are logged and count against caps and budgets — until
 * 2026-12-05 they were in no file. It asks for the stop instead, and reads on to the last line.
 * A client with a webhook also paces the run (the {@link AHEAD_HEADER} header and
 * POST /v1/decide/batch/{run}/taken): the buffers alone let the server decide thousands ahead of a
 * slow webhook (QA, 2026-12-06: 3,351 decided, 1,000 taken).
 *
 * @example
 * await batchRoutes(app, tact);
 */
export async function batchRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const auth = requireKey(tact.keys, 'server', 'run batch decisions');
  // The runs of this process: a stop for one running, or an `ended` for one that has ended (its
  // client may still be reading what it sent), the oldest forgotten first.
  const runs = new Map<string, { stop: AbortController; window?: TakenWindow; ended?: number }>();
  const ended = (id: string) => {
    const r = runs.get(id);
    if (!r || r.ended) return;
    const now = Date.now();
    r.ended = now;
    // (Re-inserted: the map keeps insertion order, so the ended runs are forgotten oldest first.)
    runs.delete(id);
    runs.set(id, r);
    let over = runs.size - ENDED_KEPT;
    for (const [k, v] of runs) if (v.ended !== undefined && (over-- > 0 || v.ended < now - ENDED_MS)) runs.delete(k);
  };
  app.post<{ Body: AudienceRequest }>('/v1/decide/batch', { preHandler: auth, schema: { ...decideSchemas.batch, headers: { type: 'object', properties: { [AHEAD_HEADER]: { type: 'string', description: `Pace the run: at most this many decisions (1 to ${MAX_AHEAD}) ahead of those the client has taken, told by POST /v1/decide/batch/{run}/taken. Without it the run decides as fast as the connection takes the lines.` } } }, response: { 200: { description: `One JSON object a line (NDJSON), each of one \`type\` (AudienceLine, audience-run.ts). The \`${RUN_HEADER}\` header names the run, for POST /v1/decide/batch/{run}/stop (and /taken).`, headers: { [RUN_HEADER]: { type: 'string', description: 'The run, to stop it by.' }, [AHEAD_HEADER]: { type: 'string', description: 'Set when the run is paced: the decisions it may make ahead of those taken.' } }, content: { 'application/x-ndjson': { schema: LINE } } } } } }, async (req, reply) => {
    const stop = new AbortController();
    const window = windowOf(req.headers);
    const lines = runAudience(tact, req.body, undefined, stop.signal, window);
    // Surface a bad placement or audience as a 400 before the stream starts. (No decision is made
    // before this first line.)
    const first = await lines.next();
    const run = randomUUID();
    runs.set(run, { stop, window });
    // A client gone away reads no more: the run decides for no more subjects (nor waits for it, paced).
    reply.raw.once('close', () => (ended(run), stop.abort()));
    async function* rest(): AsyncGenerator<string> {
      if (!first.done) yield JSON.stringify(first.value) + '\n';
      try {
        for await (const line of lines) yield JSON.stringify(line) + '\n';
      } catch (err) {
        // Unexpected faults are told as the error handler tells a 500: the catalogue's sentence, the details logged.
        const e = errorForClient(err, req.log, { method: req.method, route: req.routeOptions.url });
        yield JSON.stringify({ type: 'error', error: e.code, message: e.message, errorId: e.id }) + '\n';
      }
    }
    void reply.header('content-type', 'application/x-ndjson');
    void reply.header(RUN_HEADER, run);
    if (window) void reply.header(AHEAD_HEADER, String(window.ahead));
    return reply.send(Readable.from(rest()));
  });

  app.post<{ Params: { run: string } }>('/v1/decide/batch/:run/stop', { preHandler: requireKey(tact.keys, 'server', 'stop a batch run'), schema: STOP_SCHEMA }, async (req) => {
    const r = runs.get(req.params.run);
    if (!r) throw new TactError('not_found', { what: 'batch run of this server process', id: req.params.run });
    r.stop.abort();
    return { run: req.params.run, state: r.ended ? 'ended' : 'stopping' };
  });
  app.post<{ Params: { run: string }; Body: { taken: number } }>('/v1/decide/batch/:run/taken', { preHandler: requireKey(tact.keys, 'server', 'pace a batch run'), schema: TAKEN_SCHEMA }, async (req) => {
    const r = runs.get(req.params.run);
    if (!r) throw new TactError('not_found', { what: 'batch run of this server process', id: req.params.run });
    r.window?.take(req.body.taken);
    return { run: req.params.run, taken: r.window?.taken ?? req.body.taken, state: r.ended ? 'ended' : 'running' };
  });
}

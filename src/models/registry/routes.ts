import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorSchema } from '../../collect/schemas.js';
import { authorOf } from '../../config/routes.js';
import { nameNotFound } from '../../errors/not-found.js';
import { TactError, validationError } from '../../errors/tact-error.js';
import { requireKey } from '../../server/auth.js';
import { MAX_FREE_TEXT } from '../../server/free-text.js';
import { withOptionalBody } from '../../server/openapi-optional-body.js';
import type { Tact } from '../../server/tact.js';
import { CALIBRATED_MODELS } from '../calibration/calibrated-models.js';
import { modelCalibrationReports } from '../calibration/reports.js';
import { clean } from '../estimates/estimate-view.js';
import { TrainingStopped } from '../train/abandon.js';
import type { TrainResult } from '../train/trainer.js';
import { scheduledRun } from '../train/schedule.js';
import { KEPT_TRAININGS, TRAINING_ALIVE_MS, type TrainingJob } from '../train/training-jobs.js';
import { MODEL_NAMES, trainingKind } from '../train/training-kind.js';
import { liveAndLatest, modelHistory } from './registry-views.js';
import { calibrationSchema, modelSchema, modelsSchema, promotionSchema, rollbackSchema, trainedSchema, trainingSchema, trainingStartedSchema } from './registry-schemas.js';

/** The longest a training request waits for a training of the same model already running (proxies time out long before). */
const MAX_TRAIN_WAIT_S = 600;
const nameParam = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } as const;
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * The model registry: list, inspect, train, promote, roll back, calibration.
 *
 * @example
 * await modelRoutes(app, tact); // GET /v1/models, POST /v1/models/rates/promote …
 */
export async function modelRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const read = requireKey(tact.keys, 'server', 'read models');
  const write = requireKey(tact.keys, 'admin', 'train, promote or roll back models');
  const reg = tact.learning.registry;
  const trainer = (name: string) => tact.learning.trainers.find((t) => t.name === name);
  const known = async (name: string) => {
    if (trainer(name)) return;
    const stored = await reg.store.names();
    if (!stored.includes(name)) throw nameNotFound({ one: 'model', many: 'models' }, name, [...MODEL_NAMES, ...stored]);
  };
  const actor = (req: FastifyRequest) => authorOf(req);
  // The trainings' stop begins with the app's close, not after it (Tact.close awaits the same stop):
  // they share the requests' grace, so a SIGTERM is over in about 5 s, and a `sync=true` training
  // abandoned so is answered before its connection is cut (Learning.stop).
  app.addHook('preClose', async () => {
    void tact.learning.stop().catch((err: Error) => tact.log.warn({ error: err.message }, 'the trainings could not be stopped'));
  });

  app.get('/v1/models', { preHandler: read, schema: { tags: ['learn'], summary: 'Every model: its live version and its latest',
    description: 'Each model also says how the schedule last trained it (`scheduled`, null when it never has): `state` (`done`, `failed`, or `running` on its first run), `lastRunAt` and `lastResult` (`{ version, skipped, promoted, sameAs }`; `sameAs`: the live version the run made again, storing no version) of the last run that ended, `failedAt` and `error` (a sentence: what failed, when, and when it is tried again) when the last try failed, and `nextAt`, when it is due again (null when the schedule is off or does not list it).', response: { 200: modelsSchema } } }, async () => {
    const names = [...new Set([...MODEL_NAMES, ...(await reg.store.names())])];
    const cfg = tact.settings.get(trainingKind);
    const models = [];
    for (const name of names) {
      const { live, latest } = await liveAndLatest(reg, name);
      const run = scheduledRun(name, await tact.store.documents.getJob(`train:${name}`), cfg);
      const scheduled = run && { state: run.state, lastRunAt: iso(run.lastRunAt), lastResult: run.lastResult, failedAt: iso(run.failedAt), error: run.error, nextAt: iso(run.nextAt) };
      models.push({ name, description: trainer(name)?.description ?? null, live, latest, autoPromote: cfg.autoPromote.has(name), scheduled });
    }
    return { models, schedule: { everyMs: cfg.everyMs, models: cfg.models, segmentSweepMs: cfg.sweepMs } };
  });

  app.get<{ Params: { name: string } }>('/v1/models/:name', { preHandler: read, schema: { tags: ['learn'], summary: 'A model: versions (newest first), the live one, and its history of promotions, refusals and rollbacks', params: nameParam, response: { 200: modelSchema, 404: errorSchema } } }, async (req) => {
    const { name } = req.params;
    await known(name);
    const { live, versions, history } = await modelHistory(reg, name);
    return { name, description: trainer(name)?.description ?? null, live, versions, history };
  });

  const busyDetail = (name: string, wait: number, r: TrainResult) => `${r.skipped}, still after ${wait} s of waiting: nothing was trained. Ask again once that training is over (its version then shows in GET /v1/models/${name}), or with a longer \`wait\` (at most ${MAX_TRAIN_WAIT_S} seconds).`;
  const statusUrl = (j: TrainingJob) => `/v1/models/${encodeURIComponent(j.model)}/trainings/${j.id}`;

  app.post<{ Params: { name: string }; Querystring: { wait: number; sync: boolean; force: boolean } }>('/v1/models/:name/train', {
    preHandler: write,
    schema: {
      tags: ['learn'],
      summary: 'Train a model now, in the background; the new version is promoted only if the promotion rules allow it',
      description: 'Answers `202` at once with the training (`{ id, model, state: "running", startedAt, statusUrl }`, and `statusUrl` in `Location`): poll GET `statusUrl` (of any process sharing the store) until its state is `done`, `failed` or `busy`. `id` numbers the trainings of the model on demand. A training of this model asked for earlier, of this process or of another sharing the store, and not over is answered instead of starting another. A model being trained elsewhere (by the schedule, `tact train`, or another process sharing the store) is trained again once that training is over: the training waits (`waiting`) at most `wait` seconds, then ends `busy`, having trained nothing. With `sync=true` the request itself trains and answers `200 { results }` once done, or `409 conflict` naming who trains the model since when after `wait` seconds (the answer before trainings ran in the background; proxies may time out first). A training the server\'s shutdown cuts (it gets about 4 s) trains nothing and gives the model back at once: `failed` ("stopped by the server\'s shutdown"), or with `sync=true` a `503 overloaded` (retry).',
      params: nameParam,
      querystring: {
        type: 'object',
        properties: {
          wait: { type: 'integer', minimum: 0, maximum: MAX_TRAIN_WAIT_S, default: 30, description: 'Seconds to wait for a training of the model already running.' },
          sync: { type: 'boolean', default: false, description: 'Train within the request and answer the results (200) or 409, as before trainings ran in the background.' },
          force: { type: 'boolean', default: false, description: 'Ask to promote the new version as any other even when it is the same model as the live one (nothing new since it was trained): without it such a version is stored and refused (`sameAs`, `unchanged`), its comparison still recorded.' },
        },
      },
      response: { 200: trainedSchema, 202: trainingStartedSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
    },
  }, async (req, reply) => {
    const { name } = req.params;
    const { wait, sync, force } = req.query;
    await known(name);
    const by = actor(req);
    if (sync) {
      const results = await tact.learning.train([name], by, { waitMs: wait * 1000, force }).catch((err: unknown) => {
        // Abandoned by the shutdown, its lease given back: told to retry, as a request arriving now is.
        if (err instanceof TrainingStopped) throw new TactError('overloaded');
        throw err;
      });
      const busy = results.find((r) => r.busy);
      if (busy) throw new TactError('conflict', { detail: busyDetail(name, wait, busy) });
      return clean({ results });
    }
    const job = await tact.learning.trainings.start(name, async (n, o) => {
      // In the background nobody waits on the answer: the log says how it ended.
      try {
        const results = await tact.learning.train([n], by, { ...o, waitMs: wait * 1000, force });
        tact.log.info({ model: n, by, results: results.map((r) => ({ version: r.version ?? null, skipped: r.skipped ?? null, promoted: r.promotion?.promoted ?? null, sameAs: r.sameAs ?? null })) }, 'training on demand finished');
        return results;
      } catch (err) {
        if (err instanceof TrainingStopped) tact.log.info({ model: n, by }, 'training on demand stopped by the shutdown; nothing was trained');
        else tact.log.error({ model: n, by, error: (err as Error).message }, 'training on demand failed');
        throw err;
      }
    }, (r) => busyDetail(name, wait, r));
    const url = statusUrl(job);
    return reply.code(202).header('location', url).send({ id: job.id, model: job.model, state: job.state, startedAt: iso(job.startedAt), statusUrl: url });
  });

  app.get<{ Params: { name: string; id: string } }>('/v1/models/:name/trainings/:id', {
    preHandler: read,
    schema: {
      tags: ['learn'],
      summary: 'A training started by POST /v1/models/{name}/train: waiting, running, done (with its results), failed or busy',
      description: `\`state\` is \`waiting\` (for another training of the model — the schedule's, or one in another process: \`waitingFor\` says whose, since when), \`running\`, \`done\` (\`result\` is what \`sync=true\` answers: \`{ results }\`), \`failed\` (\`error\` says why) or \`busy\` (the wait ran out, nothing was trained: \`error\` says whose training it waited for). A training whose process stopped before it was over (killed, its host gone) is \`failed\` once that process has not said it is alive for ${TRAINING_ALIVE_MS / 60_000} minutes, \`error\` saying so. Trainings are kept in the store, so every process sharing it answers them: the last ${KEPT_TRAININGS} over, for an hour; an id unknown, or forgotten, is a 404.`,
      params: { type: 'object', properties: { name: { type: 'string' }, id: { type: 'string' } }, required: ['name', 'id'] },
      response: { 200: trainingSchema, 404: errorSchema },
    },
  }, async (req) => {
    const { name, id } = req.params;
    await known(name);
    const job = await tact.learning.trainings.get(name, id);
    if (!job) throw new TactError('not_found', { what: `training of ${name} (the last ${KEPT_TRAININGS} trainings over are kept, for an hour)`, id });
    return clean({
      id: job.id, model: job.model, state: job.state, startedAt: iso(job.startedAt), finishedAt: job.finishedAt === undefined ? undefined : iso(job.finishedAt),
      waitingFor: job.waitingFor, result: job.results && { results: job.results }, error: job.error, statusUrl: statusUrl(job),
    });
  });

  app.post<{ Params: { name: string }; Body: { version: number; force?: boolean; reason?: string } }>('/v1/models/:name/promote', {
    preHandler: write,
    schema: {
      tags: ['learn'],
      summary: 'Make a version live',
      description: 'The first version goes live; later ones need a comparison with the live version that favours them, or `training.autoPromote`, or `force: true` with a `reason`. A refusal is a 409 and is recorded in the history; so is a promotion decided against a live version that another process replaced meanwhile (ask again). A version made live that cannot be applied under the settings in force (a `micro-segments` version that needs retraining) is live all the same, and the answer says why in `warnings`.',
      params: nameParam,
      body: { type: 'object', required: ['version'], properties: { version: { type: 'integer', minimum: 1, maximum: 2_147_483_647 }, force: { type: 'boolean' }, reason: { type: 'string', maxLength: MAX_FREE_TEXT } }, additionalProperties: false },
      response: { 200: promotionSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
    },
  }, async (req) => {
    await known(req.params.name);
    const { version, force, reason } = req.body;
    if (force && !reason?.trim()) throw validationError([{ field: 'reason', message: 'A forced promotion needs a `reason`: it is kept in the model\'s history.' }]);
    const p = await reg.promote(req.params.name, version, { actor: actor(req), force, reason });
    if (!p.promoted) throw new TactError('promotion_refused', { name: req.params.name, version, detail: p.reason }, { extra: { comparison: p.comparison } });
    return p;
  });

  app.post<{ Params: { name: string }; Body: { reason?: string } | undefined }>('/v1/models/:name/rollback', {
    preHandler: write,
    schema: withOptionalBody({
      tags: ['learn'],
      summary: 'Go back to the version that was live before the current one',
      description: 'Optional body: `{ "reason": "…" }`, kept in the history. A 409 `conflict` when another process changed the live version while the rollback ran. Going back to a version that cannot be applied under the settings in force (a `micro-segments` version that needs retraining) is done all the same, and the answer says why in `warnings`.',
      params: nameParam,
      body: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: MAX_FREE_TEXT, description: 'Why: kept in the model\'s history.' } } },
      response: { 200: rollbackSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
    }),
    // The body is optional: a request without one is checked as `{}` (Fastify checks the body even when none was sent).
    preValidation: async (req) => {
      req.body ??= {};
    },
  }, async (req) => {
    await known(req.params.name);
    return reg.rollback(req.params.name, { actor: actor(req), reason: req.body?.reason });
  });

  app.get<{ Params: { name: string }; Querystring: { key?: string } }>('/v1/models/:name/calibration', {
    preHandler: read,
    schema: {
      tags: ['learn'],
      summary: 'Reliability of a rate model on held-out outcomes: ECE, bins, coverage of its 90% intervals',
      description: 'Each figure carries its 95% interval (ECE, MCE, Brier by a subject bootstrap; coverage by Wilson) and ECE the value a perfectly calibrated model would read (calibratedReference). Each point is a prediction recorded before its outcome was known. `rates` reports one entry per configured rate (or the `key` asked for); `decisions` reports the goal-rate estimates the most recent 50,000 decisions scored their chosen actions with, against the goal outcomes credited to them (pending while the attribution window is open); `uplift` reports, per action of the live version (or the `key` asked for), predicted uplift per bin against the observed treatment − control difference with its 95% interval, on the held-out subjects\' decisions no version is trained on.',
      params: nameParam,
      querystring: { type: 'object', additionalProperties: false, properties: { key: { type: 'string', description: 'One rate (`rates`) or one action (`uplift`); `decisions` takes none.' } } },
      response: { 200: calibrationSchema, 400: errorSchema, 404: errorSchema },
    },
  }, async (req) => {
    const { name } = req.params;
    const reports = await modelCalibrationReports(tact.store, tact.settings, name, req.query.key, Date.now());
    if (!(CALIBRATED_MODELS as readonly string[]).includes(name) && reports.every((r) => r.n === 0 && r.pending === 0)) {
      throw nameNotFound({ one: 'model with a calibration report', many: 'models with a calibration report, those that record predictions,' }, name, CALIBRATED_MODELS);
    }
    return clean({ model: name, reports });
  });
}

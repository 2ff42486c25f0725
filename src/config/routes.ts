import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorSchema } from '../collect/schemas.js';
import { nameNotFound } from '../errors/not-found.js';
import { schemaProblem } from '../errors/schema-problems.js';
import { type FieldProblem, TactError, validationError } from '../errors/tact-error.js';
import { requireKey } from '../server/auth.js';
import type { Tact } from '../server/tact.js';
import { authorOf } from './author.js';
import { refuseBlank } from './blank-text.js';
import { docSchema, historyAnswer, historyQuery, kindsSchema, noQuery, problemsSchema, putAllBody, putBody, readQuery, secretChangesSchema, storedWarningsSchema, unchangedSchema, warningsSchema } from './route-schemas.js';
import { redactSecrets } from './secrets.js';

export { authorOf } from './author.js';

/** The `document` problem of a PUT that sent the document under the name a GET answers it by. */
/**
 * The most a configuration document's PUT may send: 16 MiB, where every other route takes 1 MiB.
 * A shop's recommendations settings with a 20,000-item catalog (name, category, price) are
 * ≈ 1.5 MB, and a PUT replaces the whole document, so under the server's 1 MiB such a shop could
 * not change even its filter rule through the API (QA 2026-12-06). The key is checked before the
 * body is read (checkKeysBeforeBody), so only a holder of an admin key can send this much.
 */
export const CONFIG_BODY_BYTES = 16 * 1024 * 1024;

export const DOCUMENT_SENT_AS_BODY = 'The `document` property is required: send the configuration as `document` (a GET answers it as `body`, which a PUT does not read).';

/**
 * A PUT /v1/config/{kind} body that holds `body` and no `document` — a GET's answer sent back —
 * checked by the route's own schema: its problems as the validator would give them (every one,
 * `reason` too), the missing `document` saying which name it takes. Undefined for any other body,
 * which the schema checks as usual ("The `document` property is required. It was not present …").
 *
 * @example
 * documentSentAsBody(req); // [{ field: 'document', message: 'The `document` property is required: send the configuration as `document` (a GET answers it as `body`, …).' }]
 */
function documentSentAsBody(req: FastifyRequest): FieldProblem[] | undefined {
  const b = req.body;
  if (!b || typeof b !== 'object' || Array.isArray(b) || 'document' in b || !('body' in b)) return undefined;
  const validate = req.getValidationFunction('body');
  if (!validate || validate(b)) return undefined;
  return (validate.errors ?? []).map((e) => schemaProblem(e, 'body', b)).map((p) => (p.field === 'document' ? { ...p, message: DOCUMENT_SENT_AS_BODY } : p));
}

/**
 * Where a problem of one kind's document is in the body of PUT /v1/config: under
 * `documents.<kind>`. A kind whose checks name their fields from the kind already (the features
 * list's `features[0].kind`) is not named twice.
 *
 * @example
 * fieldInDocuments('lifecycle', 'stages[0].when'); // 'documents.lifecycle.stages[0].when'
 * fieldInDocuments('features', 'features[0].kind'); // 'documents.features[0].kind'
 */
export function fieldInDocuments(kind: string, field: string): string {
  if (field === '' || field === kind) return `documents.${kind}`;
  if (field.startsWith(`${kind}[`) || field.startsWith(`${kind}.`)) return `documents.${field}`;
  return `documents.${kind}${field.startsWith('[') ? '' : '.'}${field}`;
}

/**
 * The 404 of a version a kind does not have, naming it and the versions there are.
 *
 * @example
 * versionNotFound('lifecycle', 9, 3).message; // 'No `lifecycle` version (the versions are 1 to 3) matches `9`.'
 */
export function versionNotFound(kind: string, version: number, latest: number): TactError {
  const there = latest === 0 ? 'none is written yet' : latest === 1 ? 'the only version is 1' : `the versions are 1 to ${latest}`;
  return new TactError('not_found', { what: `\`${kind}\` version (${there})`, id: String(version) }, { at: 'querystring.version' });
}

/**
 * Versioned configuration through the API: every kind (features, merge rules, tracking plan,
 * lifecycle, …) can be read — any stored version, not only the one in force — replaced with a
 * reason, and its history listed page by page. A kind's secrets are never answered
 * (`{"redacted": true}` in their place), to the admin key neither. Each change is logged (the
 * kind, the version, the author and the key used).
 */
/** The most bytes of documents a page of a kind's history answers with them (one version always: a PUT takes up to 16 MiB). */
export const HISTORY_PAGE_BYTES = 16 * 1024 * 1024;

export async function configRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const read = requireKey(tact.keys, 'server', 'read configuration');
  const write = requireKey(tact.keys, 'admin', 'change configuration');
  const kindOf = (name: string) => {
    const k = tact.settings.kind(name);
    if (!k) throw nameNotFound({ one: 'configuration kind', many: 'configuration kinds' }, name, tact.settings.allKinds().map((x) => x.kind));
    return k;
  };
  // Every document the API answers goes through here: its secrets are write-only, whatever the key.
  const show = (d: { kind: string; version: number; body: unknown; author: string; reason: string; createdAt: number }) =>
    ({ ...d, body: redactSecrets(d.body, tact.settings.kind(d.kind)?.secrets), createdAt: new Date(d.createdAt).toISOString() });

  app.get('/v1/config', { preHandler: read, schema: { tags: ['config'], summary: 'Every configuration kind with the version in force', querystring: noQuery, response: { 200: kindsSchema } } }, async () => ({
    kinds: await Promise.all(tact.settings.allKinds().map(async (k) => ({ kind: k.kind, configKey: k.configKey, description: k.description, version: tact.settings.version(k.kind), problems: (await tact.settings.storedProblems(k.kind)).length, warnings: (await tact.settings.storedWarnings(k.kind)).length }))),
    epoch: tact.settings.epoch,
  }));

  app.get<{ Params: { kind: string }; Querystring: { version?: number } }>('/v1/config/:kind', {
    preHandler: read,
    schema: {
      tags: ['config'],
      summary: 'The version of a configuration kind in force, or any stored version (`?version=`)',
      params: { type: 'object', properties: { kind: { type: 'string' } } },
      querystring: readQuery,
      response: { 200: { type: 'object', properties: { ...docSchema.properties, problems: problemsSchema, warnings: storedWarningsSchema } }, 404: errorSchema },
    },
  }, async (req) => {
    const k = kindOf(req.params.kind);
    const asked = req.query.version;
    if (asked !== undefined) {
      const d = await tact.store.documents.get(k.kind, asked);
      if (!d) throw versionNotFound(k.kind, asked, (await tact.store.documents.latest(k.kind))?.version ?? 0);
      // What a PUT of it now (a rollback) would be refused for or warned of: for the version in force, what the GET without `version` answers.
      return { ...show(d), problems: await tact.settings.problemsOf(k.kind, d.body), warnings: await tact.settings.warningsOf(k.kind, d.body) };
    }
    const d = await tact.store.documents.latest(k.kind);
    // What this version's checks say of the stored document (written by an earlier version, say).
    const problems = d ? await tact.settings.storedProblems(k.kind) : [];
    // And what it contradicts in the other documents now (a PUT answered the same, against them as they were).
    const warnings = await tact.settings.storedWarnings(k.kind);
    return { ...show(d ?? { kind: k.kind, version: 0, body: k.empty, author: 'default', reason: 'nothing written yet', createdAt: 0 }), problems, warnings };
  });

  app.get<{ Params: { kind: string }; Querystring: { limit?: number; before?: number; bodies?: boolean } }>('/v1/config/:kind/history', {
    preHandler: read,
    schema: {
      tags: ['config'],
      summary: 'Earlier versions, newest first, a page at a time (`next` → `before`)',
      querystring: historyQuery,
      response: { 200: historyAnswer, 404: errorSchema },
    },
  }, async (req) => {
    const k = kindOf(req.params.kind);
    const limit = req.query.limit ?? 50;
    // One more than the page: whether older versions are left is known, not guessed.
    const listed = await tact.store.documents.versions(k.kind, limit + 1, req.query.before);
    if (req.query.bodies === false) {
      const versions = listed.slice(0, limit).map((v) => ({ ...v, createdAt: new Date(v.createdAt).toISOString() }));
      return { versions, next: listed.length > limit ? versions[versions.length - 1].version : null };
    }
    // With their documents, a page holds at most HISTORY_PAGE_BYTES of them (always one): 50 versions
    // of a 16-MB document would be read and answered at once, 800 MB (until 2026-12-08).
    let n = 0;
    for (let bytes = 0; n < Math.min(limit, listed.length) && (n === 0 || bytes + listed[n].bytes <= HISTORY_PAGE_BYTES); n++) bytes += listed[n].bytes;
    // From the newest version listed: one written since is not on this page.
    const versions = n ? (await tact.store.documents.history(k.kind, n, listed[0].version + 1)).map(show) : [];
    return { versions, next: listed.length > n ? listed[n - 1].version : null };
  });

  app.put<{ Body: { documents: Record<string, unknown>; reason: string; author?: string; expectedVersions?: Record<string, number>; dryRun?: boolean; fromFile?: boolean } }>('/v1/config', {
    preHandler: write,
    bodyLimit: CONFIG_BODY_BYTES,
    schema: {
      tags: ['config'],
      summary: 'Replace several configuration kinds as one change (each checked against the others as they will be; stored together or not at all)',
      description: 'For a change that one kind at a time cannot make, or should not make in steps: a feature renamed together with the lifecycle rule that reads it, an action added to the catalog with the policy rule that names it. Every version gets the same author and reason. A kind whose version in force already holds the document sent writes no version (`unchanged: true`), as PUT /v1/config/{kind}. A change is written only if no other change committed after it was checked, else checked again (up to five times, then a 409).',
      querystring: noQuery,
      body: putAllBody,
      response: {
        200: {
          type: 'object',
          required: ['epoch', 'changes', 'dryRun'],
          properties: {
            epoch: { type: 'integer', description: 'The configuration epoch with the change in force (of a dry run: the one it would have).' },
            dryRun: { type: 'boolean', description: 'True when nothing was stored: the answer is what the change would be.' },
            changes: { type: 'array', description: 'One for each kind sent, in the order of GET /v1/config.', items: { type: 'object', properties: { ...docSchema.properties, unchanged: unchangedSchema, warnings: warningsSchema, secrets: secretChangesSchema } } },
          },
        },
        400: errorSchema,
        409: errorSchema,
      },
    },
  }, async (req) => {
    const { documents, expectedVersions = {} } = req.body;
    const known = tact.settings.allKinds().map((k) => k.kind);
    const problems: FieldProblem[] = [];
    for (const kind of Object.keys(documents)) {
      if (!known.includes(kind)) problems.push({ field: `documents.${kind}`, message: nameNotFound({ one: 'configuration kind', many: 'configuration kinds' }, kind, known).message });
    }
    for (const kind of Object.keys(expectedVersions)) {
      if (!(kind in documents)) problems.push({ field: `expectedVersions.${kind}`, message: `The \`expectedVersions\` name \`${kind}\`, which \`documents\` does not change: name only the kinds sent, each with the version it was changed from.` });
    }
    if (problems.length) throw validationError(problems);
    refuseBlank({ reason: req.body.reason });
    const author = authorOf(req, req.body.author);
    const sent = Object.entries(documents).map(([kind, document]) => ({ kind, document, expectedVersion: expectedVersions[kind] }));
    const dryRun = req.body.dryRun === true;
    const changes = await tact.settings.putAll(sent, { author, reason: req.body.reason, dryRun, fromFile: req.body.fromFile === true }, fieldInDocuments);
    const written = dryRun ? [] : changes.filter((c) => !c.unchanged);
    for (const c of written) tact.log.info({ kind: c.kind, version: c.version, author, key: req.apiKey?.id, keyLabel: req.apiKey?.label, with: written.filter((o) => o !== c).map((o) => o.kind) }, 'configuration changed');
    return { epoch: changes[0].epoch, dryRun, changes: changes.map((c) => ({ ...show(c), unchanged: c.unchanged, warnings: c.warnings, ...(c.secrets ? { secrets: c.secrets } : {}) })) };
  });

  app.put<{ Params: { kind: string }; Body: { document: unknown; reason: string; author?: string; expectedVersion?: number } }>('/v1/config/:kind', {
    preHandler: write,
    bodyLimit: CONFIG_BODY_BYTES,
    schema: {
      tags: ['config'],
      summary: 'Replace a configuration kind (a new version, with its reason)',
      description: 'A document the version in force already holds (the same content, key order aside) writes no version: the answer is that version with `unchanged: true` (a stale `expectedVersion` is still a 409). The document is checked against the other kinds in force and written only if no other change committed since, else checked again (up to five times, then a 409).',
      // `?expectedVersion=3` would otherwise switch off the conflict check unseen, as a misspelt one in the body.
      querystring: noQuery,
      body: putBody,
      response: { 200: { type: 'object', properties: { ...docSchema.properties, epoch: { type: 'integer' }, unchanged: unchangedSchema, warnings: warningsSchema, secrets: secretChangesSchema } }, 400: errorSchema, 409: errorSchema },
    },
    preValidation: async (req) => {
      const problems = documentSentAsBody(req);
      if (problems) throw validationError(problems);
    },
  }, async (req) => {
    const k = kindOf(req.params.kind);
    refuseBlank({ reason: req.body.reason });
    const author = authorOf(req, req.body.author);
    const r = await tact.applyDocument(k.kind, req.body.document, { author, reason: req.body.reason, expectedVersion: req.body.expectedVersion });
    // Who changed what, with the key used: the author is free text, the key is not. A PUT that changed nothing is no change to log.
    if (!r.unchanged) tact.log.info({ kind: k.kind, version: r.version, author, key: req.apiKey?.id, keyLabel: req.apiKey?.label }, 'configuration changed');
    return { ...show(r), epoch: r.epoch, unchanged: r.unchanged, warnings: r.warnings, ...(r.secrets ? { secrets: r.secrets } : {}) };
  });
}

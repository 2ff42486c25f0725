import { MAX_FREE_TEXT } from '../server/free-text.js';

/**
 * The schemas of the configuration routes (routes.ts): what they take and answer, as /openapi.json
 * describes them.
 */

/** The most a version number is (PostgreSQL's `integer`, which the documents table holds it in). */
const MAX_VERSION = 2_147_483_647;

/**
 * A route that reads no query parameter: any sent is a 400 naming it ("not one this endpoint
 * takes"), as on the routes that read some, rather than dropped unseen.
 */
export const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

const anyBody = {} as const;
/** A stored version of a document as the API answers it. */
export const docSchema = {
  type: 'object',
  required: ['kind', 'version', 'body', 'author', 'reason', 'createdAt'],
  properties: { kind: { type: 'string' }, version: { type: 'integer' }, body: { ...anyBody, description: 'The document (docs/configuration.md has each kind); its secrets read `{"redacted": true}`.' }, author: { type: 'string' }, reason: { type: 'string' }, createdAt: { type: 'string' } },
} as const;

/** What this version's checks say of a stored document: empty when it passes. */
export const problemsSchema = {
  type: 'array',
  description: 'What this version of Tact refuses in the stored document (written by an earlier version, say): it stays in force as stored until changed. Of a version read with `?version=` other than the one in force: what a PUT of it now would be refused for.',
  items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
} as const;

const warningItems = { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } as const;

/** What PUT answers of the document it applied: empty when there is nothing to say. */
export const warningsSchema = {
  type: 'array',
  description: 'What the document does that it likely does not mean, against the configuration in force (a placement\'s bandit floor above the policy\'s exploration budget, which caps it): applied all the same.',
  items: warningItems,
} as const;

/** What a PUT did to its kind's secrets (write-only: no read can tell a secret sent again from a new one). */
export const secretChangesSchema = {
  type: 'array',
  description: 'Only for a kind with secrets (monitors: `webhook.secret`): what the document does to each secret set before or after it — `kept` (the same secret, sent again or as the redacted marker), `set` (none before), `changed` or `removed`. Secrets are write-only, so a client cannot tell otherwise; `tact config push` lists a kept secret as no difference.',
  items: { type: 'object', required: ['path', 'change'], properties: { path: { type: 'string' }, change: { type: 'string', enum: ['kept', 'set', 'changed', 'removed'] } } },
} as const;

/** What GET answers of the version in force: the same warnings, as they stand now. */
export const storedWarningsSchema = {
  type: 'array',
  description: 'What the version in force does that it likely does not mean, against the other documents in force when it is read (a placement\'s bandit floor above the policy\'s exploration budget, which caps it): the warnings its PUT answered, as they stand now — a change to the other document clears or changes them. In force all the same; empty when there is nothing to say, or while `problems` is not empty. Of a version read with `?version=` other than the one in force: what a PUT of it now would be warned of.',
  items: warningItems,
} as const;

/** GET /v1/config: each kind with the version in force (0: nothing written yet), how many problems this version's checks find in it, and how many warnings it carries. */
export const kindsSchema = {
  type: 'object',
  required: ['kinds', 'epoch'],
  properties: {
    kinds: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'configKey', 'description', 'version', 'problems', 'warnings'],
        properties: {
          kind: { type: 'string', description: 'The name in /v1/config/{kind}.' },
          configKey: { type: 'string', description: 'Its key in the config file.' },
          description: { type: 'string' },
          version: { type: 'integer', description: 'The version in force; 0 when nothing was written yet.' },
          problems: { type: 'integer', description: 'How many problems this version\'s checks find in the stored document (GET /v1/config/{kind} lists them).' },
          warnings: { type: 'integer', description: 'How many warnings the version in force carries against the other documents as they are now (GET /v1/config/{kind} lists them); 0 while `problems` is not.' },
        },
      },
    },
    epoch: { type: 'integer', description: 'Changes whenever any kind changes.' },
  },
} as const;

/** GET /v1/config/{kind}: `version` reads any stored version, not only the one in force. */
export const readQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    version: { type: 'integer', minimum: 1, maximum: MAX_VERSION, description: 'A stored version to read (any, not only the one in force: a rollback PUTs its `body` back); a 404 naming it when the kind has no such version. Its `problems` and `warnings` are what a PUT of it now would be refused for or warned of. Without it, the version in force.' },
  },
} as const;

/** GET /v1/config/{kind}/history: a page of versions, newest first, and where the next page starts. */
export const historyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50, description: 'The most versions answered.' },
    before: { type: 'integer', minimum: 1, maximum: MAX_VERSION, description: 'Only the versions older than this one: the `next` of the previous page.' },
    bodies: { type: 'boolean', default: true, description: 'False: each version without its document (`body`) — its number, author, reason and time, no document read (a page of a large catalog\'s versions is megabytes of documents). `GET /v1/config/{kind}?version=N` reads one.' },
  },
} as const;

export const historyAnswer = {
  type: 'object',
  required: ['versions', 'next'],
  properties: {
    versions: {
      type: 'array',
      items: { ...docSchema, required: docSchema.required.filter((f) => f !== 'body'), properties: { ...docSchema.properties, bytes: { type: 'integer', description: 'With `bodies=false`: the size of the document as stored (bytes of its JSON).' } } },
      description: 'Newest first; each without `body` (with its `bytes`) when `bodies=false`. With bodies, a page holds at most 16 MiB of documents (always one version), whatever `limit` says: `next` says where the rest starts.',
    },
    next: { type: ['integer', 'null'], description: 'When older versions than these are stored: the version to pass as `before` for the next page (the oldest answered here). Null when this page reaches version 1.' },
  },
} as const;

/** A change's answer for a kind whose version in force already held the document sent (both PUT routes). */
export const unchangedSchema = { type: 'boolean', description: 'True when the version in force already held this document: no version was written, and this is that version.' } as const;

/** PUT /v1/config/{kind}: the body it takes. */
export const putBody = {
  type: 'object',
  required: ['document', 'reason'],
  // A misspelt `expectedVersion` would otherwise switch off the conflict check unseen.
  additionalProperties: false,
  properties: {
    document: { description: 'The new document (see docs/configuration.md for each kind).' },
    reason: { type: 'string', minLength: 1, maxLength: MAX_FREE_TEXT, description: 'Why: kept with the version. Not blank (only white space).' },
    author: { type: 'string', maxLength: MAX_FREE_TEXT, description: 'Who: kept with the version (default: the label of the key used). Not `config-file`, which names the config file\'s own changes.' },
    expectedVersion: { type: 'integer', minimum: 0, maximum: MAX_VERSION, description: 'Refuse the change (409) unless this is the version in force.' },
  },
} as const;

/** PUT /v1/config: several kinds changed as one. */
export const putAllBody = {
  type: 'object',
  required: ['documents', 'reason'],
  additionalProperties: false,
  properties: {
    documents: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { description: 'The new document of the kind named by its key (see docs/configuration.md for each kind).' },
      description: 'The new document of each kind changed, by kind (`{"features": […], "lifecycle": {…}}`): checked against each other as they will be, and stored together or not at all.',
    },
    reason: putBody.properties.reason,
    author: putBody.properties.author,
    expectedVersions: {
      type: 'object',
      additionalProperties: putBody.properties.expectedVersion,
      description: 'By kind, the version each change was made against: any other in force refuses the whole change (409). Each must name a kind in `documents`.',
    },
    dryRun: { type: 'boolean', default: false, description: 'Check the change and answer what it would store — the same 400 or 409, else each kind\'s next version (or `unchanged`) and its warnings — storing nothing.' },
    fromFile: { type: 'boolean', default: false, description: 'The documents are a config file\'s sections (`tact config push` sends them so): a kind whose version in force the config file wrote with the same content is answered `unchanged` too, and stays the file\'s. Without it a PUT of the same content takes such a kind over for the API with a new version.' },
  },
} as const;

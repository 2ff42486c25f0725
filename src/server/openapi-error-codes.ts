import type { ErrorCode } from '../errors/catalogue.js';

/** What an operation takes, as far as the errors it can answer depend on it. */
export interface OperationInput {
  /** A path parameter (`/v1/keys/{id}`). */
  params: boolean;
  /** A body is read (any method but GET and HEAD): it may be malformed, too large or of another type. */
  body: boolean;
  /** A query, a path parameter or a body: a field of it may be refused. */
  input: boolean;
}

/** Each code an error answer can carry, as the sentence of its status says it (docs/errors.md has them all). */
const SAYS: Partial<Record<ErrorCode, string>> = {
  validation_failed: 'a field is missing, of the wrong type or out of range (`problems` names each; a body sent where the route takes none names its fields)',
  tracking_plan_blocked: 'the message breaks the tracking plan where it blocks, and was not stored (`problems` names each field)',
  batch_rejected: 'every message of the batch was rejected (`rejected` gives the reasons of each)',
  invalid_expression: 'a CEL expression sent does not compile, or could not run as written (`problems` names the field)',
  not_a_condition: 'a CEL rule sent gives a value known not to be true or false (`problems` names the field)',
  invalid_json: 'the body is not JSON',
  empty_body: 'the body is empty though a `Content-Type` announces one',
  content_length_mismatch: 'the body is not as long as its `Content-Length` says',
  body_incomplete: 'the body did not all arrive',
  invalid_encoding: 'the body is not valid in its charset — the one its `Content-Type` names, else UTF-8 (naming the byte offset)',
  invalid_content_encoding: 'the body is not the gzip or deflate data its `Content-Encoding` says',
  bad_url: 'the path is not valid percent-encoded UTF-8 (a path parameter not encoded with encodeURIComponent)',
  bad_request: 'another refusal of the request as sent',
  missing_credentials: 'no key',
  malformed_credentials: 'a malformed `Authorization` header',
  invalid_credentials: 'a key this server does not know',
  revoked_credentials: 'a revoked key',
  forbidden: 'the key\'s kind may not do this',
  not_found: 'nothing has the name or id the path gives (listing the names there are where they can be listed)',
  unknown_name: 'a name within two edits of a known one, such as `ratez` (naming it in `suggestion`)',
  unknown_identifier_kind: 'a profile asked for by a misspelt identifier kind, such as `userid:u1` (naming the identifier meant)',
  route_not_found: 'a path parameter left empty, such as `/v1/keys/`, matches no route',
  conflict: 'the change expected another version, or something else holds the name',
  promotion_refused: 'the version was not promoted: no comparison with the live version favours it (`force: true` with a `reason` overrides; the refusal is recorded)',
  rollback_unavailable: 'the model has no earlier live version to roll back to',
  url_too_long: 'a path parameter is longer than 2,048 characters',
  payload_too_large: 'the body is over this route\'s limit',
  message_too_large: 'a single message is over 32 KB',
  batch_too_large: 'a batch is over 500 KB',
  unsupported_media_type: 'the body is not JSON',
  unsupported_charset: 'its `Content-Type` names a charset the server does not read',
  unsupported_content_encoding: 'its `Content-Encoding` is not gzip, deflate or identity',
  internal: 'a fault on the server; nothing was changed (the `errorId` finds it in the server log)',
  overloaded: 'the server is shutting down or its write queue is full, and nothing was stored: retry',
  store_unavailable: 'the database did not answer while the request was handled, and it was not acknowledged: retry in a moment (`Retry-After: 1`)',
  store_full: "the disk of the store is full — the embedded store's data folder (TACT_DATA_DIR), or the PostgreSQL server's data directory (SQLSTATE 53100): nothing of the request was stored; retry once space is freed",
};

/** The codes a status stands for on any operation, by what it takes. */
function commonCodes(status: string, op: OperationInput): ErrorCode[] {
  switch (status) {
    case '400': return [
      ...(op.input ? ['validation_failed' as const] : []),
      ...(op.body ? ['invalid_json', 'empty_body', 'content_length_mismatch', 'body_incomplete', 'invalid_encoding', 'invalid_content_encoding'] as const : []),
      ...(op.params ? ['bad_url' as const] : []),
      'bad_request',
    ];
    case '401': return ['missing_credentials', 'malformed_credentials', 'invalid_credentials', 'revoked_credentials'];
    case '403': return ['forbidden'];
    case '404': return ['not_found', 'unknown_name', 'unknown_identifier_kind', ...(op.params ? ['route_not_found' as const] : [])];
    case '409': return ['conflict'];
    case '413': return ['payload_too_large'];
    case '414': return ['url_too_long'];
    case '415': return ['unsupported_media_type', 'unsupported_charset', 'unsupported_content_encoding'];
    case '500': return ['internal'];
    case '503': return ['overloaded', 'store_unavailable'];
    case '507': return ['store_full'];
    default: return [];
  }
}

/**
 * The codes answered by particular operations (Fastify's path, as @fastify/swagger hands it), by
 * status: added to the common ones, or, with `only`, instead of them.
 */
const OWN: Record<string, { add?: Partial<Record<string, ErrorCode[]>>; only?: Partial<Record<string, ErrorCode[]>> }> = {
  '/v1/batch': { add: { 400: ['batch_rejected'] }, only: { 413: ['batch_too_large'] } },
  '/v1/import': { add: { 400: ['batch_rejected'] }, only: { 413: ['batch_too_large'] } },
  '/v1/decide/batch': { add: { 400: ['invalid_expression', 'not_a_condition'] } },
  '/v1/recommendations': { add: { 400: ['invalid_expression', 'not_a_condition'] } },
  '/v1/models/:name/promote': { only: { 409: ['promotion_refused'] } },
  '/v1/models/:name/rollback': { only: { 409: ['rollback_unavailable', 'conflict'] } },
  // With TACT_METRICS_TOKEN set: the token, not a key (until 2026-12-05 documented as the keys' 401s).
  '/metrics': { only: { 401: ['metrics_token_required'] } },
};

/** A single message of Segment's API: its plan may block it, and its size is the message's. */
const SINGLE_MESSAGE = { add: { 400: ['tracking_plan_blocked'] }, only: { 413: ['message_too_large'] } } as const;

/**
 * The codes an error status stands for on one operation, in the order its sentence gives them.
 *
 * @example
 * errorCodes('409', '/v1/models/:name/rollback', { params: true, body: true, input: true }); // ['rollback_unavailable', 'conflict']
 */
export function errorCodes(status: string, url: string, op: OperationInput & { collect?: boolean }): ErrorCode[] {
  const own = op.collect && !OWN[url] ? SINGLE_MESSAGE : OWN[url];
  const only = (own?.only as Partial<Record<string, readonly ErrorCode[]>> | undefined)?.[status];
  if (only) return [...only];
  const common = commonCodes(status, op);
  const added = (own?.add as Partial<Record<string, readonly ErrorCode[]>> | undefined)?.[status] ?? [];
  // A route's own refusals before the catch-all `bad_request`.
  const last = common[common.length - 1] === 'bad_request' ? 1 : 0;
  return [...common.slice(0, common.length - last), ...added, ...common.slice(common.length - last)];
}

/**
 * The sentence an error status has on one operation: each code it can carry, with what it means.
 *
 * @example
 * errorMeaning(['rollback_unavailable', 'conflict']); // '`rollback_unavailable`: the model has no earlier …; `conflict`: …'
 */
export function errorMeaning(codes: readonly ErrorCode[]): string | undefined {
  if (codes.length === 0) return undefined;
  return `${codes.map((c) => `\`${c}\`: ${SAYS[c] ?? 'see docs/errors.md'}`).join('; ')}.`;
}

/**
 * The one error catalogue: every error Tact returns has a stable code, an HTTP status and a
 * message template written as a whole sentence for the person who reads it. Placeholders are
 * `{name}`; `{a:name}` (or `{A:name}` to start a sentence) puts `a` or `an` before it. docs/errors.md lists every code; a test fails when one is missing there.
 */
export const catalogue = {
  validation_failed: { status: 400, message: '{detail}' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON: {detail}.' },
  empty_body: { status: 400, message: 'The request body is empty, but its `Content-Type` header says {contentType}: send a JSON body, or leave the header out when sending none.' },
  content_length_mismatch: { status: 400, message: 'The request body is not as long as its `Content-Length` header says ({length} bytes); send the body\'s length in bytes, or leave the header out and send the body chunked.' },
  body_incomplete: { status: 400, message: 'The request body did not all arrive: the connection closed, or the body\'s stream failed, before its end. Send the request again.' },
  invalid_encoding: { status: 400, message: 'The request body is not valid {charset}{said}: the bytes from offset {offset} (counting from 0) do not make a character in it. Send the body in the charset its header names, or name the charset it is in (`Content-Type: application/json; charset=windows-1252`).' },
  bad_request: { status: 400, message: 'The request was refused as it was sent: {detail}.' },
  unsupported_media_type: { status: 415, message: 'The request body must be JSON (Content-Type: application/json); it was {contentType}.' },
  invalid_content_encoding: { status: 400, message: 'The request body is not {encoding} data, as its `Content-Encoding` header says it is: {detail}.' },
  unsupported_charset: { status: 415, message: 'The request body\'s `Content-Type` header names the charset `{charset}`, which this server does not read; send the body as UTF-8, or in another charset of the WHATWG Encoding Standard (such as ISO-8859-1, windows-1252 or UTF-16LE) named there.' },
  unsupported_content_encoding: { status: 415, message: 'The request body\'s `Content-Encoding` `{encoding}` is not one this server reads; send it as gzip, deflate or uncompressed.' },
  message_too_large: { status: 413, message: 'A single message may be at most 32 KB; this one is {size} bytes. Split large properties or send them elsewhere.' },
  batch_too_large: { status: 413, message: 'A batch may be at most 500 KB; this request is {size} bytes. Send fewer messages per batch (analytics libraries do this for you).' },
  batch_rejected: { status: 400, message: 'None of the {count} messages in the batch was accepted; see `rejected` for the reason of each.' },
  // `detail`: the violations' own sentences — a planned event's schema broken, or an event the plan does not name (`unplanned: block`).
  tracking_plan_blocked: { status: 400, message: '{detail}. The tracking plan blocks such messages, so this `{event}` message was not stored.' },
  missing_credentials: { status: 401, message: 'This endpoint needs a key: send the write key as the HTTP Basic user name (or as `writeKey` in the body) for collection, or `Authorization: Bearer <key>` with a server or admin key.' },
  // `place`: the `Authorization` header, or the body's `writeKey` (collection) when it holds no string.
  malformed_credentials: { status: 401, message: 'The {place} {detail}' },
  invalid_credentials: { status: 401, message: 'No key this server knows is in {where}.' },
  revoked_credentials: { status: 401, message: 'The key in {where} was revoked; send an active key (`tact keys list` or `GET /v1/keys` shows which keys are active).' },
  metrics_token_required: { status: 401, message: 'The metrics need the token set in TACT_METRICS_TOKEN, sent as `Authorization: Bearer <token>`; {detail}.' },
  forbidden: { status: 403, message: '{A:have} key cannot {action}; this needs {a:need} key.' },
  not_found: { status: 404, message: 'No {what} matches `{id}`.' },
  unknown_identifier_kind: { status: 404, message: 'No profile matches `{id}`, and `{kind}` is not an identifier kind Tact or the merge rules name: did you mean `{suggestion}`? The kinds are {kinds}; any other is an external id\'s `type`, as messages send it.' },
  // `known`: a sentence listing the names there are (not-found.ts).
  unknown_name: { status: 404, message: 'No {what} matches `{id}`: did you mean `{suggestion}`? {known}' },
  route_not_found: { status: 404, message: 'There is no route {method} {url}. The API is described at /openapi.json and /docs.' },
  method_not_allowed: { status: 405, message: 'The route {url} takes {allowed}, not {method}.' },
  bad_url: { status: 400, message: 'The URL path `{path}` is not valid percent-encoded UTF-8; encode each path parameter with encodeURIComponent.' },
  url_too_long: { status: 414, message: 'A path parameter may be at most {limit} characters (identifiers are at most 512); this one is longer: {path}.' },
  malformed_request: { status: 400, message: 'The request is not valid HTTP/1.1: {detail}. Send it with an HTTP client library.' },
  request_timeout: { status: 408, message: 'The server stopped waiting for this request: its {part} did not all arrive within {seconds} s. Send each request without pauses, or retry it on a steadier connection.' },
  headers_too_large: { status: 431, message: 'The request\'s headers (with its URL) are larger than the {limit} this server reads; send fewer or shorter headers (large cookies are the usual cause) or a shorter URL.' },
  conflict: { status: 409, message: '{detail}' },
  precondition_failed: { status: 412, message: 'The request\'s `{header}` header does not hold for {url}: it was changed since, or is not the version the header names. Ask again without the header to get it as it is now.' },
  range_not_satisfiable: { status: 416, message: 'The `Range` header ({range}) asks for bytes that {url} does not have: {length}. Ask for a range that starts before its end, or leave the header out to get the whole file.' },
  invalid_expression: { status: 400, message: 'The expression in `{field}` is not valid CEL: {detail}.' },
  not_a_condition: { status: 400, message: 'The rule in `{field}` gives {gives}, not true or false: {hint}.' },
  promotion_refused: { status: 409, message: 'Version {version} of the {name} model was not promoted: {detail}. The refusal is recorded in the model\'s history; promote with `force: true` and a `reason` to override.' },
  rollback_unavailable: { status: 409, message: 'The {name} model cannot be rolled back: {detail}.' },
  payload_too_large: { status: 413, message: 'The request body is larger than this endpoint accepts ({limit} bytes).' },
  overloaded: { status: 503, message: 'The server is shutting down or overloaded and did not store this request; retry it.' },
  store_unavailable: { status: 503, message: 'The database did not answer while this request was handled ({detail}), so it was not acknowledged: retry it in a moment (a message sent again with the same messageId is stored once).' },
  // `where`: the embedded store's data folder, or the PostgreSQL server's data directory (store/sqlite/disk-full.ts fullDiskPlace).
  store_full: { status: 507, message: 'The disk of {where} is full, so nothing of this request was stored: send it again once space is freed there (a message sent again with the same messageId is stored once).' },
  internal: { status: 500, message: 'Something went wrong on the server and nothing was changed by this request; the error id is {errorId}. The details are in the server log.' },
  internal_subject: { status: 500, message: 'Something went wrong on the server while deciding for this subject, and the run went on with the next one; the error id is {errorId}. The details are in the server log.' },
  internal_stream: { status: 500, message: 'Something went wrong on the server and the stream stopped here: what the lines before this one say was done stands, nothing after it was done; the error id is {errorId}. The details are in the server log.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof catalogue;

/**
 * The header of a POST /v1/decide/batch answer that names the run, for
 * POST /v1/decide/batch/{run}/stop: the route sets it, `tact decide-batch` reads it.
 *
 * @example
 * const run = res.headers.get(RUN_HEADER);
 */
export const RUN_HEADER = 'tact-batch-run';

/**
 * The header of a POST /v1/decide/batch request that asks the server to decide at most this many
 * decisions ahead of those the client has taken (POST /v1/decide/batch/{run}/taken); the answer
 * carries it back when the server paces the run so. `tact decide-batch` sends it with a webhook.
 *
 * @example
 * fetch(url, { headers: { [AHEAD_HEADER]: '200' } });
 */
export const AHEAD_HEADER = 'tact-batch-ahead';

/** The most decisions a run may be asked to make ahead of those its client has taken (a bound on the header's value). */
export const MAX_AHEAD = 10_000_000;

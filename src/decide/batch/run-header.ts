/**
 * The header of a POST /v1/decide/batch answer that names the run, for
 * POST /v1/decide/batch/{run}/stop: the route sets it, `tact decide-batch` reads it.
 *
 * @example
 * const run = res.headers.get(RUN_HEADER);
 */
export const RUN_HEADER = 'tact-batch-run';

import type { FastifyRequest } from 'fastify';
import { TactError } from '../errors/tact-error.js';

type PartSchema = { properties?: Record<string, unknown> } | undefined;

/**
 * A route's `validation_failed` with each problem about one of its query parameters named as the
 * schemas and the cursors name one — `querystring.before`, as docs/errors.md shows
 * `querystring.limit` — where the core that refused it, shared with routes that take the same
 * field in a body (`placement`, `to`, `key`), named it bare. A field is a query parameter's when
 * the route's query schema declares it and neither its body nor its path does (until 2026-12-05
 * GET /v1/reviews named `before`, a model's calibration `key`, the holdout results `placement`
 * and `to`). Any other error is returned as it is.
 *
 * @example
 * queryNamed(validationError([{ field: 'before', message: '…' }]), req); // problems[0].field: 'querystring.before'
 */
export function queryNamed(e: TactError, req: FastifyRequest): TactError {
  if (e.code !== 'validation_failed' || e.problems.length === 0) return e;
  const schema = req.routeOptions.schema as { querystring?: PartSchema; body?: PartSchema; params?: PartSchema } | undefined;
  const query = Object.keys(schema?.querystring?.properties ?? {});
  if (query.length === 0) return e;
  const taken = new Set([...Object.keys(schema?.body?.properties ?? {}), ...Object.keys(schema?.params?.properties ?? {})]);
  const ofQuery = (field: string) => {
    const head = /^[^.[]+/.exec(field)?.[0] ?? field;
    return query.includes(head) && !taken.has(head);
  };
  if (!e.problems.some((p) => ofQuery(p.field))) return e;
  const problems = e.problems.map((p) => (ofQuery(p.field) ? { ...p, field: `querystring.${p.field}` } : p));
  return new TactError('validation_failed', { detail: e.message }, { problems, extra: e.extra });
}

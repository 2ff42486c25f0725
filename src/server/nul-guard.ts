import type { FastifyInstance } from 'fastify';
import { nulPath, nulProblem } from '../errors/nul.js';
import { validationError } from '../errors/tact-error.js';

/**
 * Refuses, with a 400 naming the field, path and query parameters and request bodies that hold a
 * NUL character. Collection routes (config `collect`) are checked message by message instead
 * (normalize.ts), so that a batch keeps its valid messages.
 *
 * @example
 * refuseNul(app);
 */
export function refuseNul(app: FastifyInstance): void {
  app.addHook('preValidation', (req, _reply, done) => {
    const where =
      nulPath(req.params) ??
      prefixed('query', nulPath(req.query)) ??
      ((req.routeOptions.config as { collect?: boolean } | undefined)?.collect ? undefined : nulPath(req.body));
    done(where ? validationError([nulProblem(where)]) : undefined);
  });
}

const prefixed = (prefix: string, path: string | undefined) => (path ? `${prefix}.${path}` : undefined);

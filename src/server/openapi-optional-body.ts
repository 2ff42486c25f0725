import type { SwaggerTransformObject } from '@fastify/swagger';

/** The mark a route's schema carries when its body may be left out (@fastify/swagger copies `x-` keys into the operation). */
export const OPTIONAL_BODY = 'x-optional-body';

/**
 * A route's schema marked {@link OPTIONAL_BODY}, for routes that take their body optionally.
 *
 * @example
 * app.post('/v1/models/:name/rollback', { schema: withOptionalBody({ body: { … } }) }, …);
 */
export function withOptionalBody<S extends object>(schema: S): S {
  return { ...schema, [OPTIONAL_BODY]: true };
}

type Operation = Record<string, unknown> & { requestBody?: { required?: boolean } };

/**
 * @fastify/swagger's `transformObject`: an operation marked {@link OPTIONAL_BODY} says its request
 * body is not required (@fastify/swagger marks every body required, as Fastify validates one even
 * when none was sent; such a route checks a missing body as `{}`). The mark itself is removed.
 *
 * @example
 * await app.register(swagger, { openapi: { … }, transformObject: optionalBodies });
 */
export const optionalBodies: SwaggerTransformObject = (doc) => {
  const openapiObject = 'openapiObject' in doc ? doc.openapiObject : doc.swaggerObject;
  const paths = (openapiObject as { paths?: Record<string, Record<string, Operation>> }).paths ?? {};
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) {
      if (!op || typeof op !== 'object' || !(OPTIONAL_BODY in op)) continue;
      delete op[OPTIONAL_BODY];
      if (op.requestBody) op.requestBody.required = false;
    }
  }
  return openapiObject;
};

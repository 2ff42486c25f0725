import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** The modules a page imports: the snippet and what it imports at run time (types are erased). */
export const BROWSER_MODULES = ['browser.js', 'client.js', 'operations.js'] as const;

interface Module { text: string; etag: string }

/**
 * Reads one of the client's modules as a browser runs it. Running from the built package, it is
 * the compiled sibling file; running from the sources (tests, `tsx`), the sibling `.ts` file is
 * compiled with TypeScript's single-file transpiler, which the sources need anyway.
 */
export async function browserModule(file: (typeof BROWSER_MODULES)[number]): Promise<Module> {
  const here = fileURLToPath(import.meta.url);
  let text: string;
  if (here.endsWith('.js')) {
    text = await readFile(new URL(`./${file}`, import.meta.url), 'utf8');
  } else {
    const ts = (await import('typescript')).default;
    const source = await readFile(new URL(`./${file.replace(/\.js$/, '.ts')}`, import.meta.url), 'utf8');
    text = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false } }).outputText;
  }
  // The source maps are not served: a browser asking for them would log a 404 on every page.
  text = text.replace(/^\/\/# sourceMappingURL=.*$/m, '');
  return { text, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"` };
}

/**
 * GET /tact/browser.js (and the two modules it imports): the browser snippet as an ES module a
 * page loads from the Tact server itself, `import { showPlacement } from 'https://tact…/tact/browser.js'`.
 * Public, like analytics.js: it holds no key. Cached by the browser for five minutes, then
 * revalidated by its ETag.
 */
export async function browserModuleRoutes(app: FastifyInstance): Promise<void> {
  const cache = new Map<string, Promise<Module>>();
  for (const file of BROWSER_MODULES) {
    app.get(`/tact/${file}`, {
      schema: {
        tags: ['decide'],
        summary: file === 'browser.js'
          ? 'The browser snippet (an ES module): `showPlacement` asks for a public placement with the write key, draws the choice and reports impressions, clicks and dismissals'
          : `A module the browser snippet imports (${file})`,
        security: [],
        response: { 200: { description: 'JavaScript (an ES module).', content: { 'text/javascript': { schema: { type: 'string' } } } }, 304: { description: 'Not modified: the ETag sent in `If-None-Match` is still current.', type: 'null' } },
      },
    }, async (req, reply) => {
      let m = cache.get(file);
      if (!m) {
        m = browserModule(file);
        cache.set(file, m);
        m.catch(() => cache.delete(file));
      }
      const { text, etag } = await m;
      void reply.header('etag', etag).header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff');
      if (notModified(req.headers['if-none-match'], etag)) return reply.code(304).send();
      return reply.type('text/javascript; charset=utf-8').send(text);
    });
  }
}

/**
 * If-None-Match (RFC 9110 §13.1.2): "*", or a list of entity tags compared weakly (§8.8.3.2), so
 * W/"x" — a tag a proxy weakened when it compressed the answer — matches "x". Our tags hold no ",".
 */
function notModified(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

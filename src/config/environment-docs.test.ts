import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every TypeScript file under `dir` but the tests. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Names that look like variables but are not read from the environment. */
const NOT_VARIABLES = new Set([
  'TACT_DATA_DIR_IN_USE', // an error code (src/store/sqlite/data-dir-lock.ts)
  'TACT_STORE_NEWER', // an error code (src/store/newer-store.ts)
  'TACT_ALERT_SECRET', // an example of `webhook.secretEnv`, which names any variable (docs/monitors.md)
]);

/** The variables the table of docs/configuration.md's "Environment" section names in its first column. */
function documented(): Set<string> {
  const doc = readFileSync('docs/configuration.md', 'utf8');
  const section = doc.slice(doc.indexOf('\n## Environment'), doc.indexOf('\n### ', doc.indexOf('\n## Environment')));
  const names = section.split('\n').filter((l) => l.startsWith('| `')).flatMap((l) => [...l.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]));
  return new Set(names);
}

describe('the environment variables of docs/configuration.md', () => {
  it('are the ones the code reads, no more and no fewer', () => {
    const read = new Set(['PORT', 'HOST']);
    for (const file of sources('src')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bTACT_[A-Z0-9_]+\b/g)) if (!NOT_VARIABLES.has(m[0])) read.add(m[0]);
    }
    const docs = documented();
    expect([...read].filter((n) => !docs.has(n)).sort(), 'read by the code, not in the table').toEqual([]);
    expect([...docs].filter((n) => !read.has(n)).sort(), 'in the table, read by no code').toEqual([]);
  });
});

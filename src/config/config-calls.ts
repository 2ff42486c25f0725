/** A stored version of a configuration kind as the configuration routes answer it (secrets redacted). */
export interface StoredVersion {
  kind: string;
  version: number;
  body: unknown;
  author: string;
  reason: string;
  createdAt: string;
}

/**
 * A call of a running server's configuration routes with a key (the `tact config` commands): the
 * answer, or an error naming the request (its path without the query) and the server's refusal,
 * with each field it names.
 *
 * @example
 * const now = await configCall<StoredVersion>('http://127.0.0.1:8787', key, 'GET', '/v1/config/policy');
 */
export async function configCall<T>(url: string, key: string, method: 'GET' | 'PUT', path: string, body?: object): Promise<T> {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const answer = (await res.json().catch(() => ({}))) as T & { message?: string; problems?: { field: string; message: string }[] };
  if (!res.ok) {
    const problems = (answer.problems ?? []).filter((p) => p.message !== answer.message).map((p) => `\n  ${p.field}: ${p.message}`).join('');
    throw new Error(`The server refused ${method} ${path.split('?')[0]} (${res.status}): ${answer.message ?? res.statusText}${problems}`);
  }
  return answer;
}

/** The key a reading command uses: `--key`, else TACT_SERVER_KEY, else TACT_ADMIN_KEY; refused by name when none is set. */
export function readKey(given: string | undefined): string {
  const key = given || process.env.TACT_SERVER_KEY || process.env.TACT_ADMIN_KEY;
  if (!key) throw new Error('A server or admin key is needed: pass --key or set TACT_SERVER_KEY (or TACT_ADMIN_KEY).');
  return key;
}

/** The key a changing command uses: `--key`, else TACT_ADMIN_KEY; refused by name when none is set. */
export function adminKey(given: string | undefined): string {
  const key = given || process.env.TACT_ADMIN_KEY;
  if (!key) throw new Error('An admin key is needed: pass --key or set TACT_ADMIN_KEY.');
  return key;
}

/**
 * What a `tact config` command needs to know of a kind to show its documents: its secret paths
 * (never shown) and its empty document (version 0). The kinds are imported here, not at the top of
 * a command's module: `tact --help` loads no server (help-load.test.ts).
 */
export async function kindShown(kind: string): Promise<{ secrets: readonly string[]; empty: unknown }> {
  const { documentKinds } = await import('../server/tact.js');
  const k = documentKinds.find((x) => x.kind === kind);
  return { secrets: k?.secrets ?? [], empty: k?.empty };
}

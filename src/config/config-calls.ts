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

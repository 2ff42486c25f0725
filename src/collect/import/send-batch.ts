/** What the server made of one batch. */
export interface BatchAnswer {
  /** The messages refused, by their index in the batch, with the problems found. */
  rejected: { index: number; problems?: unknown }[];
  /**
   * Of the messages taken, how many were stored already (a messageId the server had seen: not
   * stored again); undefined when the server's answer does not say (a server older than the import).
   */
  duplicates: number | undefined;
}

/**
 * Posts one batch to the server's /v1/import (its batch API, which always answers with the
 * number of duplicates), retrying transient failures.
 *
 * @example
 * const { rejected, duplicates } = await sendBatch('http://127.0.0.1:8787', key, [{ type: 'track', userId: 'u1', event: 'E' }]);
 */
export async function sendBatch(url: string, writeKey: string, batch: Record<string, unknown>[]): Promise<BatchAnswer> {
  const body = JSON.stringify({ batch });
  const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  for (let attempt = 0; ; attempt++) {
    let status = 0;
    let retryAfter: string | null = null;
    let json: { rejected?: { index: number; problems?: unknown }[]; duplicates?: unknown; message?: string } = {};
    try {
      const r = await fetch(`${url.replace(/\/$/, '')}/v1/import`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body });
      status = r.status;
      retryAfter = r.headers.get('retry-after');
      json = (await r.json().catch(() => ({}))) as typeof json;
    } catch {
      status = 0;
    }
    const duplicates = typeof json.duplicates === 'number' ? json.duplicates : undefined;
    if (status === 200) return { rejected: json.rejected ?? [], duplicates };
    // Every message refused: none taken, so none a duplicate.
    if (status === 400 && json.rejected) return { rejected: json.rejected, duplicates: 0 };
    if (status === 401 || status === 403) throw new Error(`The server refused the write key: ${json.message ?? status}`);
    if (status === 400 || status === 413) return { rejected: batch.map((_, index) => ({ index, problems: [{ field: '(batch)', message: json.message ?? `HTTP ${status}` }] })), duplicates: 0 };
    // Any other 4xx but a timeout or "too many requests" will not change on a retry (a wrong --url: 404, 405, 415).
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      throw new Error(`The server answered ${status} to POST /v1/import${json.message ? ` (${json.message})` : ''}: it is not a Tact server that takes imports there; check --url.`);
    }
    if (attempt >= 8) throw new Error(`The server did not accept a batch after ${attempt + 1} tries (last answer: ${status || 'no connection'}). Run the import again to resume.`);
    await new Promise((r) => setTimeout(r, Math.max(Math.min(10_000, 200 * 2 ** attempt), retryAfterMs(retryAfter))));
  }
}

/**
 * The wait a `Retry-After` header asks for (RFC 9110 §10.2.3: seconds, or an HTTP date), at most a
 * minute; 0 when there is none or it cannot be read.
 *
 * @example
 * retryAfterMs('2'); // 2000
 */
export function retryAfterMs(value: string | null, now = Date.now()): number {
  if (!value) return 0;
  const v = value.trim();
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v) - now;
  return Number.isFinite(ms) ? Math.min(60_000, Math.max(0, ms)) : 0;
}

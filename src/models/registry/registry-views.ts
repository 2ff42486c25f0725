import type { ModelEvent, ModelVersionSummary } from './model-store.js';
import type { ModelRegistry } from './registry.js';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** A version as the API and `tact models` show it: times as ISO strings. */
export const versionSummary = (v: ModelVersionSummary) => ({ version: v.version, trainedAt: iso(v.trainedAt), dataFrom: iso(v.dataFrom), dataTo: iso(v.dataTo), trainedBy: v.trainedBy, metrics: v.metrics });

/**
 * A model's live version (since when) and its latest: one row of GET /v1/models and `tact models`.
 *
 * @example
 * await liveAndLatest(registry, 'rates'); // { live: { version: 5, since: '2026-…' }, latest: { version: 6, trainedAt: '2026-…', … } }
 */
export async function liveAndLatest(reg: ModelRegistry, name: string): Promise<{ live: { version: number; since: string | null } | null; latest: ReturnType<typeof versionSummary> | null }> {
  const live = await reg.store.live(name);
  const [latest] = await reg.store.versions(name, 1);
  return { live: live ? { version: live.version, since: iso(live.since) } : null, latest: latest ? versionSummary(latest) : null };
}

/**
 * A model's live version, its versions (the 50 newest) and its history (the 100 newest entries),
 * newest first: GET /v1/models/{name} and `tact models <name>`.
 *
 * @example
 * (await modelHistory(registry, 'rates')).history[0]; // { action: 'promoted', version: 6, actor: 'cli', reason: '…', at: '2026-…', … }
 */
export async function modelHistory(reg: ModelRegistry, name: string): Promise<{ live: { version: number; since: string | null } | null; versions: ReturnType<typeof versionSummary>[]; history: (Omit<ModelEvent, 'at'> & { at: string | null })[] }> {
  const live = await reg.store.live(name);
  return {
    live: live ? { version: live.version, since: iso(live.since) } : null,
    versions: (await reg.store.versions(name, 50)).map(versionSummary),
    history: (await reg.store.events(name, 100)).map((e) => ({ ...e, at: iso(e.at) })),
  };
}

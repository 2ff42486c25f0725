import type { MonitorKey } from '../measure/monitors/counters.js';
import type { MonitorMetric, MonitorState } from '../measure/monitors/monitor.js';
import { alertId } from './alerts.js';

/** An alert closed without recovering, and why. */
export interface ClosedAlert {
  id: string;
  /** The track's key and metric (`${keyId}#${metric}`). */
  track: string;
  metric: string;
  reason: string;
}

/** The ids in the catalog in force (the compiled catalog's maps fit). */
export interface CatalogIds {
  actions: { has(id: string): boolean };
  placements: { has(id: string): boolean };
}

/**
 * What of a key is no longer in the catalog, as a sentence's subject (null when both are there).
 * Action and placement ids hold no `|` (catalog ids are letters, digits, `_ - . :`), so the key
 * id `${action}|${placement}|${segment}` splits at its first two.
 *
 * @example
 * outOfCatalog({ action: 'offer-b', placement: 'home', segment: 'all' }, catalog) // 'the action `offer-b` is' when offer-b was removed
 */
export function outOfCatalog(key: Pick<MonitorKey, 'action' | 'placement'>, catalog: CatalogIds): string | null {
  const action = !catalog.actions.has(key.action);
  const placement = !catalog.placements.has(key.placement);
  if (action && placement) return `the action \`${key.action}\` and the placement \`${key.placement}\` are`;
  if (action) return `the action \`${key.action}\` is`;
  if (placement) return `the placement \`${key.placement}\` is`;
  return null;
}

/**
 * The action and placement of a key id (`${action}|${placement}|${segment}`) or a track id (the same, then `#${metric}`).
 * @example keyOfId('offer-b|home|vip#volume') // { action: 'offer-b', placement: 'home' }
 */
export function keyOfId(id: string): Pick<MonitorKey, 'action' | 'placement'> {
  const [action = '', placement = ''] = id.split('|', 2);
  return { action, placement };
}

/**
 * The open alerts nothing watches any more — their metric removed from `monitors.metrics`, every
 * metric when the monitors are turned off, or their action or placement removed from the catalog —
 * which no step would ever resolve: their tracks become inactive (keeping `lastFiredAt`, so the
 * cool-down still applies should the metric or the action come back), and each alert is closed with
 * the reason. Returns new tracks; the input is not modified.
 *
 * @example
 * closeRemoved({ 'a|home|all#volume': { active: true, direction: 'low', firedAt: 5, lastFiredAt: 5 } }, ['response-rate'], true)
 * // { tracks: { 'a|home|all#volume': { active: false, lastFiredAt: 5 } }, closed: [{ id: alertId('a|home|all#volume@5'), metric: 'volume', reason: 'The metric "volume" was removed …' }] }
 * closeRemoved({ 'b|home|all#volume': { active: true, direction: 'low', firedAt: 5, lastFiredAt: 5 } }, ['volume'], true, catalogWithout('b'))
 * // { …, closed: [{ …, reason: 'The alert is closed without having recovered: the action `b` is no longer in the catalog.' }] }
 */
export function closeRemoved(tracks: MonitorState['tracks'], metrics: readonly MonitorMetric[], enabled: boolean, catalog?: CatalogIds): { tracks: MonitorState['tracks']; closed: ClosedAlert[] } {
  const watched = new Set<string>(enabled ? metrics : []);
  const out = { ...tracks };
  const closed: ClosedAlert[] = [];
  for (const [track, t] of Object.entries(tracks)) {
    if (!t.active) continue;
    const metric = track.slice(track.lastIndexOf('#') + 1);
    const gone = catalog ? outOfCatalog(keyOfId(track), catalog) : null;
    if (watched.has(metric) && !gone) continue;
    out[track] = { active: false, lastFiredAt: t.lastFiredAt };
    const reason = !enabled
      ? 'The monitors were turned off in the configuration (`monitors.enabled: false`): the alert is closed without having recovered.'
      : !watched.has(metric)
        ? `The metric "${metric}" was removed from the configuration (\`monitors.metrics\`): the alert is closed without having recovered.`
        : `The alert is closed without having recovered: ${gone as string} no longer in the catalog.`;
    closed.push({ id: alertId(`${track}@${t.firedAt}`), track, metric, reason });
  }
  return { tracks: out, closed };
}

import type { MonitorKey } from '../measure/monitors/counters.js';
import { closedTrack, type MonitorMetric, type MonitorState } from '../measure/monitors/monitor.js';
import { alertId } from './alerts.js';
import { ALL_SEGMENTS } from './events.js';

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

/** The segments in force: the names of the segments document's audiences (a decision's segment is one of them, or none). */
export interface SegmentNames {
  has(name: string): boolean;
}

/**
 * Why a key (`${action}|${placement}|${segment}`) is no longer watched — its action or placement
 * left the catalog, or its segment the segments document — as a clause; null while it is watched.
 * Segment "all" is always watched. Without `segments` (settings without that kind) no segment is
 * judged: a segment removed, its members' decisions name another or none, and its keys' volume
 * dropping to zero is no news.
 *
 * @example
 * unwatched('offer-a|home|vip', catalog, new Set(['loyal'])) // 'the segment `vip` is no longer defined (`segments.audiences`)'
 */
export function unwatched(keyId: string, catalog?: CatalogIds, segments?: SegmentNames): string | null {
  const gone = catalog ? outOfCatalog(keyOfId(keyId), catalog) : null;
  if (gone) return `${gone} no longer in the catalog`;
  const segment = segmentOfId(keyId);
  if (segments && segment !== ALL_SEGMENTS && !segments.has(segment)) return `the segment \`${segment}\` is no longer defined (\`segments.audiences\`)`;
  return null;
}

/** The segment of a key id: what follows its second bar (a segment may hold any character). */
function segmentOfId(keyId: string): string {
  const first = keyId.indexOf('|');
  return keyId.slice(keyId.indexOf('|', first + 1) + 1);
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
 * metric when the monitors are turned off, their action or placement removed from the catalog, or
 * their segment from the segments document —
 * which no step would ever resolve: their tracks become inactive (keeping `firedAt` and `lastFiredAt`,
 * so the cool-down still applies should the metric or the action come back, and a relapse within it
 * reopens the alert; the time it was open, up to `now`, joins the periods kept out of its metric's
 * baseline), and each alert is closed with
 * the reason. Returns new tracks; the input is not modified.
 *
 * @example
 * closeRemoved({ 'a|home|all#volume': { active: true, direction: 'low', firedAt: 5, lastFiredAt: 5 } }, ['response-rate'], true)
 * // { tracks: { 'a|home|all#volume': { active: false, firedAt: 5, lastFiredAt: 5 } }, closed: [{ id: alertId('a|home|all#volume@5'), metric: 'volume', reason: 'The metric "volume" was removed …' }] }
 * closeRemoved({ 'b|home|all#volume': { active: true, direction: 'low', firedAt: 5, lastFiredAt: 5 } }, ['volume'], true, catalogWithout('b'))
 * // { …, closed: [{ …, reason: 'The alert is closed without having recovered: the action `b` is no longer in the catalog.' }] }
 */
export function closeRemoved(tracks: MonitorState['tracks'], metrics: readonly MonitorMetric[], enabled: boolean, catalog?: CatalogIds, segments?: SegmentNames, now = Date.now()): { tracks: MonitorState['tracks']; closed: ClosedAlert[] } {
  const watched = new Set<string>(enabled ? metrics : []);
  const out = { ...tracks };
  const closed: ClosedAlert[] = [];
  for (const [track, t] of Object.entries(tracks)) {
    if (!t.active) continue;
    const metric = track.slice(track.lastIndexOf('#') + 1);
    const gone = unwatched(track.slice(0, track.lastIndexOf('#')), catalog, segments);
    if (watched.has(metric) && !gone) continue;
    out[track] = closedTrack(t, now, -Infinity);
    const reason = !enabled
      ? 'The monitors were turned off in the configuration (`monitors.enabled: false`): the alert is closed without having recovered.'
      : !watched.has(metric)
        ? `The metric "${metric}" was removed from the configuration (\`monitors.metrics\`): the alert is closed without having recovered.`
        : `The alert is closed without having recovered: ${gone as string}.`;
    closed.push({ id: alertId(`${track}@${t.firedAt}`), track, metric, reason });
  }
  return { tracks: out, closed };
}

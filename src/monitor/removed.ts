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

/**
 * The open alerts nothing watches any more — their metric removed from `monitors.metrics`, or
 * every metric when the monitors are turned off — which no step would ever resolve: their tracks
 * become inactive (keeping `lastFiredAt`, so the cool-down still applies should the metric come
 * back), and each alert is closed with the reason. Returns new tracks; the input is not modified.
 *
 * @example
 * closeRemoved({ 'a|home|all#volume': { active: true, direction: 'low', firedAt: 5, lastFiredAt: 5 } }, ['response-rate'], true)
 * // { tracks: { 'a|home|all#volume': { active: false, lastFiredAt: 5 } }, closed: [{ id: alertId('a|home|all#volume@5'), metric: 'volume', reason: 'The metric "volume" was removed …' }] }
 */
export function closeRemoved(tracks: MonitorState['tracks'], metrics: readonly MonitorMetric[], enabled: boolean): { tracks: MonitorState['tracks']; closed: ClosedAlert[] } {
  const watched = new Set<string>(enabled ? metrics : []);
  const out = { ...tracks };
  const closed: ClosedAlert[] = [];
  for (const [track, t] of Object.entries(tracks)) {
    const metric = track.slice(track.lastIndexOf('#') + 1);
    if (!t.active || watched.has(metric)) continue;
    out[track] = { active: false, lastFiredAt: t.lastFiredAt };
    const reason = enabled
      ? `The metric "${metric}" was removed from the configuration (\`monitors.metrics\`): the alert is closed without having recovered.`
      : 'The monitors were turned off in the configuration (`monitors.enabled: false`): the alert is closed without having recovered.';
    closed.push({ id: alertId(`${track}@${t.firedAt}`), track, metric, reason });
  }
  return { tracks: out, closed };
}

import { type DocumentKind, unknownFields } from '../../config/document-kind.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import { type BaselineConfig, defaultBaselineConfig } from '../../learn/baselines/metric-baseline.js';
import { parseDuration } from '../../profiles/features/definition.js';
import { checkNamedEstimatesInUse } from '../../segments/estimate-uses.js';
import { checkDuration, checkName, checkNumber, checkText, checkUnique } from '../kind-checks.js';

/**
 * A metric stream whose personal baseline Tact keeps: each matching event is one reading.
 *
 * @example
 * { name: 'session_length', event: 'Session Ended', property: 'duration' }
 * { name: 'room_temperature', event: 'Sensor Reading', property: 'celsius', cadence: 'hourly' }
 */
export interface MetricDefinition {
  name: string;
  /** The track event that carries a reading. */
  event: string;
  /** Dotted path of the reading in the event's properties. */
  property: string;
  /** `events` (default): readings at irregular times; `hourly`: a regular stream (a sensor). */
  cadence?: 'events' | 'hourly';
  /** The range outside which an established baseline flags a reading (default 0.98). */
  anomalyLevel?: number;
  /** Time without readings after which the baseline is stale: "learning", no flags (default "30d", at least "1d"). */
  staleAfter?: string;
  description?: string;
}

/** The keys of a metric: another is refused, since saved it would be ignored (a misspelt `property` is a metric without its reading). */
const METRIC_FIELDS = ['name', 'event', 'property', 'cadence', 'anomalyLevel', 'staleAfter', 'description'] as const satisfies readonly (keyof MetricDefinition)[];

/**
 * The shortest `staleAfter` taken: a day. Readings are learned by hour, so anything up to an hour
 * made even an hourly stream stale at its next reading (never established: "1s" was taken), and a
 * stale baseline re-establishes only over `minDays` days of fresh readings.
 *
 * @example
 * metricsKind.check([{ name: 'm', event: 'E', property: 'v', staleAfter: '12h' }]); // a problem on metrics[0].staleAfter
 */
export const MIN_STALE_AFTER = 86_400_000;

/** A metric ready for the consumer. */
export interface CompiledMetric {
  def: MetricDefinition;
  path: string[];
  config: BaselineConfig;
  anomalyLevel: number;
}

/**
 * The metric streams in force (`metrics` in tact.config.yaml).
 *
 * @example
 * settings.get(metricsKind)[0].config.pooledHorizons; // true for cadence: events
 */
export const metricsKind: DocumentKind<MetricDefinition[], CompiledMetric[]> = {
  kind: 'metrics',
  configKey: 'metrics',
  description: 'Metric streams (an event property per reading) whose personal baselines and anomaly flags Tact keeps.',
  empty: [],
  check(body: unknown): FieldProblem[] {
    if (!Array.isArray(body)) return [{ field: 'metrics', message: 'The metrics must be a list of { name, event, property }.' }];
    const p: FieldProblem[] = [];
    body.forEach((m: Partial<MetricDefinition> | null, i) => {
      const at = `metrics[${i}]`;
      if (!m || typeof m !== 'object') return p.push({ field: at, message: 'Each metric must be an object with `name`, `event` and `property`.' });
      checkName(p, `${at}.name`, m.name);
      checkText(p, `${at}.event`, m.event, 'the name of the event that carries a reading');
      checkText(p, `${at}.property`, m.property, 'the property path of the reading, e.g. "duration"');
      // "a..b" (or a leading or trailing dot) names no property: the metric would never read.
      if (typeof m.property === 'string' && m.property.trim() && m.property.split('.').some((part) => !part.trim())) {
        p.push({ field: `${at}.property`, message: `The \`${at}.property\` "${m.property}" has an empty part between dots: write the path as names joined by single dots, e.g. "order.total".` });
      }
      if (m.cadence !== undefined && m.cadence !== 'events' && m.cadence !== 'hourly') p.push({ field: `${at}.cadence`, message: 'The `cadence` must be "events" or "hourly".' });
      checkNumber(p, `${at}.anomalyLevel`, m.anomalyLevel, 0.5, 0.9999);
      checkDuration(p, `${at}.staleAfter`, m.staleAfter, true);
      const stale = parseDuration(m.staleAfter);
      if (stale !== undefined && stale < MIN_STALE_AFTER) p.push({ field: `${at}.staleAfter`, message: `The \`${at}.staleAfter\` must be at least "1d": a baseline is stale after any gap as long as it, and must then re-establish over a week of readings.` });
      p.push(...unknownFields(m, METRIC_FIELDS, at));
      return undefined;
    });
    checkUnique(p, body, 'metrics');
    return p;
  },
  // A metric a stored segment rule reads is not removed (nor renamed) under it (until 2026-12-06 it was, and the rule failed for everyone).
  checkStored: (body, documents) => checkNamedEstimatesInUse('metrics', body, documents),
  compile: (defs) => defs.map((def) => ({
    def,
    path: def.property.split('.'),
    config: {
      ...defaultBaselineConfig,
      pooledHorizons: (def.cadence ?? 'events') === 'events',
      ...(def.staleAfter !== undefined ? { staleAfterDays: (parseDuration(def.staleAfter) as number) / 86_400_000 } : {}),
    },
    anomalyLevel: def.anomalyLevel ?? 0.98,
  })),
};

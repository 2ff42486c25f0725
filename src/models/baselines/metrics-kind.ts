import { type DocumentKind, unknownFields } from '../../config/document-kind.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import { type BaselineConfig, defaultBaselineConfig } from '../../learn/baselines/metric-baseline.js';
import { parseDuration } from '../../profiles/features/definition.js';
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
  /** Time without readings after which the baseline is stale: "learning", no flags (default "30d"). */
  staleAfter?: string;
  description?: string;
}

/** The keys of a metric: another is refused, since saved it would be ignored (a misspelt `property` is a metric without its reading). */
const METRIC_FIELDS = ['name', 'event', 'property', 'cadence', 'anomalyLevel', 'staleAfter', 'description'] as const satisfies readonly (keyof MetricDefinition)[];

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
      if (m.cadence !== undefined && m.cadence !== 'events' && m.cadence !== 'hourly') p.push({ field: `${at}.cadence`, message: 'The `cadence` must be "events" or "hourly".' });
      checkNumber(p, `${at}.anomalyLevel`, m.anomalyLevel, 0.5, 0.9999);
      checkDuration(p, `${at}.staleAfter`, m.staleAfter, true);
      p.push(...unknownFields(m, METRIC_FIELDS, at));
      return undefined;
    });
    checkUnique(p, body, 'metrics');
    return p;
  },
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

import type { ValidateFunction } from 'ajv';
import { describeValue } from '../errors/schema-problems.js';
import type { FieldProblem } from '../errors/tact-error.js';
import { planValidator, schemaProblems } from './tracking-plan-schema.js';
import { timezoneViolation } from './tracking-plan-timezone.js';
import { toViolations } from './tracking-plan-violations.js';
import type { Violation } from './collect-store.js';
import type { Message } from './message.js';

/**
 * The tracking plan: the events the organisation agreed to send and the JSON Schema of their
 * properties, so that every signal has one meaning. Messages are checked against it; violations are
 * counted per event and property, and blocked where the plan says so.
 *
 * @example
 * { unplanned: 'allow', events: { 'Order Completed': { block: true, properties: { type: 'object', required: ['revenue'], properties: { revenue: { type: 'number' } } } } } }
 */
export interface TrackingPlan {
  /** What happens to track events the plan does not name: counted and kept ("allow", default) or refused ("block"). */
  unplanned?: 'allow' | 'block';
  events?: Record<string, PlannedEvent>;
  /** Schema of identify traits. */
  identify?: PlannedEvent;
  /** Schema of group traits (the account's). */
  group?: PlannedEvent;
}

export interface PlannedEvent {
  description?: string;
  /** JSON Schema of `properties` (of `traits` for identify and group). */
  properties?: Record<string, unknown>;
  /** Refuse messages that break the schema (default: keep them and count the violation). */
  block?: boolean;
}

/** A plan compiled for the write path. */
export interface CompiledPlan {
  check(m: Message): { violations: Violation[]; blocked: boolean };
  /** Whether the plan names `event` ("identify", "group": whether it has a schema of their traits). */
  names(event: string): boolean;
  /** Whether the plan names a track event of this name (a track event may be called "group"). */
  namesEvent(event: string): boolean;
  readonly empty: boolean;
}

const PLAN_KEYS = ['unplanned', 'events', 'identify', 'group'];
/** The calls whose traits a plan may check, each under its own key. */
const TRAIT_CALLS = { identify: 'traits', group: 'group traits' } as const;
const EVENT_KEYS = ['description', 'properties', 'block'];

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks a tracking plan document: its shape, and that every schema compiles and checks what it says (tracking-plan-schema.ts). */
export function checkTrackingPlan(doc: unknown): FieldProblem[] {
  const p: FieldProblem[] = [];
  if (!isRecord(doc)) return [{ field: 'trackingPlan', message: notAnObject(doc) }];
  const d = doc as TrackingPlan;
  for (const k of Object.keys(doc)) if (!PLAN_KEYS.includes(k)) p.push({ field: k, message: `The tracking plan has no \`${k}\` setting; it takes ${PLAN_KEYS.map((x) => `\`${x}\``).join(', ')}.` });
  if (d.unplanned !== undefined && d.unplanned !== 'allow' && d.unplanned !== 'block') p.push({ field: 'unplanned', message: 'The `unplanned` property must be "allow" or "block".' });
  if (d.events !== undefined && !isRecord(d.events)) p.push({ field: 'events', message: 'The `events` property must be an object whose keys are event names, e.g. { "Order Completed": { "properties": { … } } }.' });
  const entries: [string, PlannedEvent][] = isRecord(d.events) ? Object.entries(d.events) : [];
  for (const [call, what] of Object.entries(TRAIT_CALLS) as [keyof typeof TRAIT_CALLS, string][]) {
    if (d[call] !== undefined && !isRecord(d[call])) p.push({ field: call, message: `The \`${call}\` property must be an object with \`properties\` (a JSON Schema of the ${what}) and optionally \`block\`.` });
    if (isRecord(d[call])) entries.push([`(${call})`, d[call] as PlannedEvent]);
  }
  for (const [name, ev] of entries) {
    const call = /^\((identify|group)\)$/.exec(name)?.[1];
    const at = call ?? `events.${name}`;
    if (!isRecord(ev)) {
      p.push({ field: at, message: `The plan for \`${name}\` must be an object with \`properties\` (a JSON Schema) and optionally \`block\`.` });
      continue;
    }
    if (!call) p.push(...eventNameProblems(name, at));
    for (const k of Object.keys(ev)) if (!EVENT_KEYS.includes(k)) p.push({ field: `${at}.${k}`, message: `The plan for \`${name}\` has no \`${k}\` setting; it takes ${EVENT_KEYS.map((x) => `\`${x}\``).join(', ')}.` });
    if (ev.block !== undefined && typeof ev.block !== 'boolean') p.push({ field: `${at}.block`, message: 'The `block` property must be true or false.' });
    if (ev.properties !== undefined) p.push(...schemaProblems(ev.properties, name, at));
  }
  return p;
}

/**
 * Why a tracking plan that is no object is refused, saying what was sent: a plan sent as JSON text
 * (`"{\"events\": …}"`, a string) is told to send the object itself (until 2026-12-06 the message
 * asked for an object with `events`, which that string seemed to be).
 */
function notAnObject(doc: unknown): string {
  const want = 'The tracking plan must be a JSON object with `events` (and optionally `unplanned`, `identify`, `group`)';
  if (typeof doc === 'string') return `${want}, not a string: it was ${describeValue(doc)}. Send the object itself, not JSON text holding it.`;
  return `${want}; it was ${describeValue(doc)}.`;
}

/**
 * A track call's `event` is stored trimmed (normalize.ts), so a plan's name with white space at
 * either end, or of white space alone, would match no message — and under `unplanned: block`
 * refuse every message of the event it meant.
 */
function eventNameProblems(name: string, at: string): FieldProblem[] {
  const trimmed = name.trim();
  if (trimmed === '') return [{ field: at, message: `The event name ${JSON.stringify(name)} is blank; a track call's \`event\` must name what the user did.` }];
  if (trimmed !== name) return [{ field: at, message: `The event name ${JSON.stringify(name)} has white space at its start or end, which Tact removes from a track call's \`event\`, so no message would match it; write it ${JSON.stringify(trimmed)}.` }];
  return [];
}

/** An account's traits as a group schema reads them: without the member's `role`, unless the schema names it. */
function accountTraits(t: Record<string, unknown>, schema: unknown): Record<string, unknown> {
  if (!Object.hasOwn(t, 'role')) return t;
  const named = isRecord(schema) && isRecord(schema.properties) && Object.hasOwn(schema.properties, 'role');
  if (named) return t;
  const { role: _role, ...rest } = t;
  return rest;
}

/** Compiles a (checked) plan; a name stored with white space at either end (before the check refused it) stands for the trimmed one. */
export function compilePlan(plan: TrackingPlan | undefined): CompiledPlan {
  const events = new Map<string, { validate?: ValidateFunction; schema?: unknown; block: boolean }>();
  const compile = planValidator();
  for (const [name, ev] of Object.entries(plan?.events ?? {})) {
    events.set(name.trim(), { validate: ev.properties ? compile(ev.properties) : undefined, schema: ev.properties, block: ev.block === true });
  }
  const traitsOf = (ev: PlannedEvent | undefined) => (ev?.properties ? { validate: compile(ev.properties), schema: ev.properties, block: ev.block === true } : undefined);
  const traits = { identify: traitsOf(plan?.identify), group: traitsOf(plan?.group) };
  const blockUnplanned = plan?.unplanned === 'block';
  const empty = events.size === 0 && !traits.identify && !traits.group && !blockUnplanned;
  const checkPlan = (m: Message): { violations: Violation[]; blocked: boolean } => {
    if (empty) return { violations: [], blocked: false };
    if (m.type === 'identify' || m.type === 'group') {
      const violations: Violation[] = [];
      let blocked = false;
      const t = traits[m.type];
      // A group call's `role` is the member's, not the account's (accounts.ts): checked only where the schema names it.
      const own = m.type === 'group' && t ? accountTraits(m.traits ?? {}, t.schema) : m.traits ?? {};
      if (t?.validate && !t.validate(own)) {
        violations.push(...toViolations(m.type, t.validate.errors ?? [], own, t.schema, 'traits'));
        blocked = t.block;
      }
      // Segment's reserved `company` trait writes the account's traits as a group call does: they
      // meet the group schema (until 2026-12-06 an identify wrote what a group call was refused for).
      const company = m.type === 'identify' ? m.traits?.company : undefined;
      const g = traits.group;
      if (g?.validate && isRecord(company) && company.id !== undefined && company.id !== null) {
        const { id: _id, ...rest } = company;
        const ct = accountTraits(rest, g.schema);
        if (!g.validate(ct)) {
          violations.push(...toViolations('group', g.validate.errors ?? [], ct, g.schema, 'traits.company'));
          blocked ||= g.block;
        }
      }
      return { violations, blocked };
    }
    if (m.type !== 'track') return { violations: [], blocked: false };
    const name = m.event as string;
    const planned = events.get(name);
    if (!planned) {
      if (events.size === 0 && !blockUnplanned) return { violations: [], blocked: false };
      return { violations: [{ event: name, property: '(event)', rule: 'unplanned', detail: `The event "${name}" is not in the tracking plan`, field: 'event' }], blocked: blockUnplanned };
    }
    if (!planned.validate || planned.validate(m.properties ?? {})) return { violations: [], blocked: false };
    return { violations: toViolations(name, planned.validate.errors ?? [], m.properties ?? {}, planned.schema), blocked: planned.block };
  };
  return {
    empty,
    names: (event) => events.has(event) || ((event === 'identify' || event === 'group') && traits[event] !== undefined),
    namesEvent: (event) => events.has(event),
    // A `context.timezone` the server does not know is counted on every call, with or without a
    // plan, and blocks nothing (tracking-plan-timezone.ts).
    check(m: Message) {
      const r = checkPlan(m);
      const tz = timezoneViolation(m);
      return tz ? { violations: [...r.violations, tz], blocked: r.blocked } : r;
    },
  };
}

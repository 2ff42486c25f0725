import type { FieldProblem } from '../errors/tact-error.js';
import { checkSelection, type SelectionOption } from './bandit/selection-option.js';
import { checkRecommend, type RecommendOption } from './recommend/recommend-option.js';
import { checkCompetition } from './catalog-competition.js';
import { Checker } from './check.js';
import { checkSafeDefault } from './safe-default-check.js';

/** One piece of content an action can carry; only approved variants can be chosen. */
export interface Variant {
  id: string;
  content?: Record<string, unknown>;
  /** draft | approved | rejected (default approved: content written by a person is approved by writing it here). */
  status?: 'draft' | 'approved' | 'rejected';
}

/**
 * Something Tact can do for a subject: show an offer, send a message, open a service case.
 *
 * @example
 * { id: 'winback', name: 'Win-back offer', channels: ['email'], purpose: 'Advertising', value: 40,
 *   contactCost: 0.5, topics: ['marketing'], eligibility: 'features.orders >= 1.0' }
 */
export interface Action {
  id: string;
  name: string;
  /** Channels it can be delivered on (a placement's channel must be one of them). */
  channels: string[];
  /** The consent purpose it needs (a Segment consent category); none for service messages. */
  purpose?: string;
  /** Value of its goal outcome (e.g. the average order it leads to), in the operator's unit. Default 1. */
  value?: number;
  /** Cost of contacting someone with it (fatigue, unsubscribe risk), in the same unit. Default 0. */
  contactCost?: number;
  /** The outcome type that counts as success for its estimate (default "conversion"). */
  goal?: string;
  topics?: string[];
  /** CEL: who it is for at all. */
  eligibility?: string;
  /** CEL: whether it fits this moment and context. */
  applicability?: string;
  /** CEL: whether it is right for this person now. */
  suitability?: string;
  /** ISO-8601: not before / not after. */
  start?: string;
  end?: string;
  variants?: Variant[];
  /** Free data for rules (`action.properties.product_id`) and for the channel. */
  properties?: Record<string, unknown>;
  /** A person must approve it for each subject before it is delivered. */
  highStakes?: boolean;
  /** How long after the decision an outcome is credited to it (default: the policy's). */
  attributionWindow?: string;
  /** What the customer reads about why they got it ("because you ordered running shoes"). */
  customerReason?: string;
  /** Its weight in the fair share of global volume budgets (default 1). */
  budgetWeight?: number;
}

/**
 * A place where a decision is asked for: a page slot, an e-mail send, a call-centre screen.
 *
 * @example
 * { id: 'home-hero', channel: 'web', slots: 1, topics: ['marketing', 'service'], safeDefault: 'none' }
 */
export interface Placement {
  id: string;
  name?: string;
  channel: string;
  /** Most choices one decision returns here (default 1). */
  slots?: number;
  /** The actions that compete here (default: every action on the channel); `topics` narrows by topic. */
  actions?: string[];
  topics?: string[];
  /** What a subject gets while a high-stakes choice waits for review: an action id or "none". */
  safeDefault?: string;
  /** Browsers may ask for it with the write key (the answer then carries no operator explanation). */
  public?: boolean;
  /** How options are chosen: ε-greedy over scores (default) or a contextual Thompson bandit. */
  selection?: SelectionOption;
  /** `actions` (default): the catalog's actions compete; `recommendation`: the answer is a ranked list of items. */
  kind?: 'actions' | 'recommendation';
  /** Business filters of a recommendation placement. */
  recommend?: RecommendOption;
}

/** The catalog document: actions and placements. */
export interface Catalog {
  actions?: Action[];
  placements?: Placement[];
}

/** How the decision log names a handoff's choice (`queue:<name>`): no action id may start with it. */
export const HANDOFF_PREFIX = 'queue:';

const ACTION_KEYS = ['id', 'name', 'channels', 'purpose', 'value', 'contactCost', 'goal', 'topics', 'eligibility', 'applicability', 'suitability', 'start', 'end', 'variants', 'properties', 'highStakes', 'attributionWindow', 'customerReason', 'budgetWeight', 'description'];
const VARIANT_KEYS = ['id', 'content', 'status', 'description'];
const PLACEMENT_KEYS = ['id', 'name', 'channel', 'slots', 'actions', 'topics', 'safeDefault', 'public', 'description', 'selection', 'kind', 'recommend'];

/**
 * Every problem with a proposed catalog, each naming its field.
 *
 * @example
 * checkCatalog({ actions: [{ id: 'a b' }] }); // [{ field: 'actions[0].id', … }, { field: 'actions[0].name', … }, …]
 */
export function checkCatalog(body: unknown): FieldProblem[] {
  const c = new Checker();
  if (!c.object(body, 'catalog')) return c.problems;
  c.known(body, '', ['actions', 'placements']);
  const ids = new Set<string>();
  if (c.list(body.actions, 'actions')) {
    body.actions.forEach((a, i) => {
      const at = `actions[${i}]`;
      if (!c.object(a, at)) return;
      c.known(a, at, ACTION_KEYS);
      if (c.id(a.id, `${at}.id`)) {
        if (ids.has(a.id as string) || a.id === 'none') c.add(`${at}.id`, `The action id \`${String(a.id)}\` is used twice (or is the reserved "none").`);
        // The log stores a handoff's choice as `queue:<name>` and finds it by `action=queue:<name>`:
        // such an action would be found with the handoffs, and they with it.
        else if ((a.id as string).startsWith(HANDOFF_PREFIX)) c.add(`${at}.id`, `The action id \`${String(a.id)}\` starts with \`${HANDOFF_PREFIX}\`, which is reserved: the decision log records a handoff to a queue as \`${HANDOFF_PREFIX}<name>\`, and \`GET /v1/decisions?action=${String(a.id)}\` could not tell this action from a handoff. Choose another id.`);
        ids.add(a.id as string);
      }
      c.string(a.name, `${at}.name`);
      if (c.strings(a.channels, `${at}.channels`) && (!Array.isArray(a.channels) || a.channels.length === 0)) c.add(`${at}.channels`, `The \`${at}.channels\` must name at least one channel.`);
      c.string(a.purpose, `${at}.purpose`, true);
      // Bounded as an outcome's value is (POST /v1/outcomes): a score's product stays finite.
      c.number(a.value, `${at}.value`, { min: -1e15, max: 1e15 });
      c.number(a.contactCost, `${at}.contactCost`, { min: 0 });
      c.number(a.budgetWeight, `${at}.budgetWeight`, { min: 0 });
      c.string(a.goal, `${at}.goal`, true);
      c.strings(a.topics, `${at}.topics`);
      for (const k of ['eligibility', 'applicability', 'suitability'] as const) c.cel(a[k], `${at}.${k}`);
      // An end at or before the start leaves no moment the action is live: it could never be offered.
      const dated = [c.time(a.start, `${at}.start`), c.time(a.end, `${at}.end`)].every(Boolean);
      if (dated && typeof a.start === 'string' && typeof a.end === 'string' && Date.parse(a.end) <= Date.parse(a.start)) {
        c.add(`${at}.end`, `The \`${at}.end\` (${a.end}) is not after its \`start\` (${a.start}): the action could never be offered. Swap them, or fix the date.`);
      }
      c.duration(a.attributionWindow, `${at}.attributionWindow`);
      c.boolean(a.highStakes, `${at}.highStakes`);
      c.string(a.customerReason, `${at}.customerReason`, true);
      if (a.properties !== undefined) c.object(a.properties, `${at}.properties`);
      if (c.list(a.variants, `${at}.variants`)) {
        const vids = new Set<string>();
        (a.variants as unknown[]).forEach((v, k) => {
          const vat = `${at}.variants[${k}]`;
          if (!c.object(v, vat)) return;
          // A misspelt `status: draft` would leave the variant approved: shown to customers.
          c.known(v, vat, VARIANT_KEYS);
          if (c.id(v.id, `${vat}.id`) && vids.has(v.id as string)) c.add(`${vat}.id`, `The variant id \`${String(v.id)}\` is used twice in ${at}.`);
          vids.add(v.id as string);
          c.oneOf(v.status, `${vat}.status`, ['draft', 'approved', 'rejected']);
          if (v.content !== undefined) c.object(v.content, `${vat}.content`);
        });
      }
    });
  }
  const pids = new Set<string>();
  const actions = (Array.isArray(body.actions) ? body.actions : []).filter((a): a is Record<string, unknown> => !!a && typeof a === 'object' && !Array.isArray(a));
  if (c.list(body.placements, 'placements')) {
    body.placements.forEach((p, i) => {
      const at = `placements[${i}]`;
      if (!c.object(p, at)) return;
      c.known(p, at, PLACEMENT_KEYS);
      if (c.id(p.id, `${at}.id`) && pids.has(p.id as string)) c.add(`${at}.id`, `The placement id \`${String(p.id)}\` is used twice.`);
      pids.add(p.id as string);
      c.string(p.channel, `${at}.channel`);
      c.number(p.slots, `${at}.slots`, { min: 1, max: 100, integer: true });
      c.strings(p.topics, `${at}.topics`);
      c.boolean(p.public, `${at}.public`);
      checkSelection(c, p.selection, `${at}.selection`);
      checkRecommend(c, p, at);
      if (c.strings(p.actions, `${at}.actions`) && Array.isArray(p.actions)) {
        p.actions.forEach((id, k) => {
          if (!ids.has(id as string)) c.add(`${at}.actions[${k}]`, `The placement names the action \`${String(id)}\`, which the catalog does not have.`);
        });
      }
      checkSafeDefault(c, p, at, actions);
      checkCompetition(c, p, at, actions);
    });
  }
  return c.problems;
}

import type { CompiledFeature } from '../../profiles/features/definition.js';
import type { CompiledPlan } from '../tracking-plan.js';
import type { Message } from '../message.js';

/**
 * The parts of `context` the write path reads: time zone and locale (profile facts), consent
 * (Segment's consent spec), traits (e-mail identifier, member role) and externalIds (identifiers).
 * The rest — page, userAgent, library, ip, campaign, device … — is stored with the event and read
 * by nothing on the write path unless a feature's `where` names `context`.
 */
export const SLIM_CONTEXT_KEYS = ['timezone', 'locale', 'consent', 'traits', 'externalIds'] as const;

/**
 * What of a message the write path reads under one configuration (its settings epoch): the slim
 * context or the whole one, and the whole `properties` or only the top-level keys the features
 * read. `traits` are always kept whole.
 */
export interface Projection {
  epoch: number;
  wholeContext: boolean;
  /** Every property (the tracking plan checks them, or a feature's `where` reads them), or only these keys. */
  properties: 'whole' | string[];
}

/**
 * The projection for a configuration: a feature whose `where` mentions `context` (anywhere in its
 * text, conservatively) needs the whole context; a tracking plan that checks anything, or a
 * `where` that mentions `properties`, needs every property; otherwise the first key of each
 * feature's property path (`products[].product_id` → `products`) is all that is read.
 *
 * @example
 * projectionFor([compileFeature({ name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' })], compilePlan(undefined), 7);
 * // → { epoch: 7, wholeContext: false, properties: ['revenue'] }
 */
export function projectionFor(features: readonly CompiledFeature[], plan: Pick<CompiledPlan, 'empty'>, epoch: number): Projection {
  const wheres = features.map((f) => f.def.where).filter((w): w is string => w !== undefined);
  const wholeContext = wheres.some((w) => /context/.test(w));
  if (!plan.empty || wheres.some((w) => /properties/.test(w))) return { epoch, wholeContext, properties: 'whole' };
  const keys = new Set<string>();
  for (const f of features) if (f.path?.length) keys.add(f.path[0].replace(/\[\]$/, ''));
  return { epoch, wholeContext, properties: [...keys] };
}

/**
 * The message as the write path reads it under `p`, without what it never reads (`integrations`,
 * the client's own timestamps, the context and properties `p` leaves out). A parse worker sends
 * this (as JSON) to the main thread, which parses a fraction of the bytes it would otherwise.
 *
 * @example
 * slimMessage({ messageId: 'm', type: 'page', context: { page: { path: '/' }, timezone: 'Europe/London' }, properties: { path: '/' }, timestamp: 0, receivedAt: 0 }, { epoch: 1, wholeContext: false, properties: [] });
 * // → { messageId: 'm', type: 'page', context: { timezone: 'Europe/London' }, properties: {}, timestamp: 0, receivedAt: 0 }
 */
export function slimMessage(m: Message, p: Projection): Message {
  let context: Record<string, unknown>;
  if (p.wholeContext) context = m.context;
  else {
    context = {};
    for (const k of SLIM_CONTEXT_KEYS) if (m.context[k] !== undefined) context[k] = m.context[k];
  }
  const s: Message = { messageId: m.messageId, type: m.type, context, timestamp: m.timestamp, receivedAt: m.receivedAt };
  if (m.event !== undefined) s.event = m.event;
  if (m.name !== undefined) s.name = m.name;
  if (m.category !== undefined) s.category = m.category;
  if (m.userId !== undefined) s.userId = m.userId;
  if (m.anonymousId !== undefined) s.anonymousId = m.anonymousId;
  if (m.previousId !== undefined) s.previousId = m.previousId;
  if (m.groupId !== undefined) s.groupId = m.groupId;
  if (m.traits !== undefined) s.traits = m.traits;
  if (m.properties !== undefined) {
    if (p.properties === 'whole') s.properties = m.properties;
    else {
      const props: Record<string, unknown> = {};
      for (const k of p.properties) if (m.properties[k] !== undefined) props[k] = m.properties[k];
      s.properties = props;
    }
  }
  return s;
}

import { type DocumentKind, unknownFields } from '../../config/document-kind.js';
import { MESSAGE_TYPES, type Message, type MessageType } from '../../collect/message.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import { SEND_TIME_ESTABLISHED } from '../../learn/send-time/send-time.js';
import { checkSendTimeInUse } from '../../segments/estimate-uses.js';
import { checkNumber, isObject } from '../kind-checks.js';

/**
 * Which events count as engagement for send time, how much personal evidence is needed, and when a
 * personal slot is established.
 *
 * @example
 * { engagement: [{ event: 'Email Opened' }, { event: 'Email Link Clicked' }], minEvents: 5, maxRelativeWidth: 1 }
 */
export interface SendTimeDoc {
  engagement?: { event?: string; type?: MessageType }[];
  /** Personal slots only from this many engagement events on (default 5). */
  minEvents?: number;
  /**
   * A personal slot is established once the 90% interval of its engagement share is no wider than
   * this many times the share (default 1: no wider than the share itself; see SEND_TIME_ESTABLISHED).
   */
  maxRelativeWidth?: number;
}

/**
 * The keys of an engagement entry: another is refused, since saved it would be ignored (a
 * misspelt `event` beside a `type: track` counts every track event as engagement).
 */
const ENGAGEMENT_FIELDS = ['event', 'type'] as const satisfies readonly (keyof NonNullable<SendTimeDoc['engagement']>[number])[];

/** Compiled: a matcher, the evidence threshold and the width rule. */
export interface CompiledSendTime {
  matches(m: Message): boolean;
  minEvents: number;
  /** Largest interval width relative to the share still called established. */
  maxRelativeWidth: number;
  configured: boolean;
}

/**
 * Send time (`sendTime` in tact.config.yaml).
 *
 * @example
 * settings.get(sendTimeKind).matches(message); // true for an engagement event
 */
export const sendTimeKind: DocumentKind<SendTimeDoc, CompiledSendTime> = {
  kind: 'send-time',
  configKey: 'sendTime',
  fields: ['engagement', 'minEvents', 'maxRelativeWidth'] satisfies (keyof SendTimeDoc)[],
  description: 'Engagement events whose hour of week teaches each subject\'s best send time.',
  empty: {},
  check(body: unknown): FieldProblem[] {
    if (!isObject(body)) return [{ field: 'sendTime', message: 'The send-time settings must be an object with `engagement`.' }];
    const p: FieldProblem[] = [];
    const list = body.engagement;
    if (list !== undefined && !Array.isArray(list)) p.push({ field: 'engagement', message: 'The `engagement` must be a list of { event } or { type }.' });
    if (Array.isArray(list)) {
      list.forEach((e: { event?: unknown; type?: unknown } | null, i) => {
        const at = `engagement[${i}]`;
        if (!e || typeof e !== 'object' || (e.event === undefined && e.type === undefined)) p.push({ field: at, message: 'Each engagement entry needs an `event` name or a message `type`.' });
        else {
          if (e.event !== undefined && (typeof e.event !== 'string' || !e.event)) p.push({ field: `${at}.event`, message: 'The `event` must be a non-empty string.' });
          if (e.type !== undefined && !MESSAGE_TYPES.includes(e.type as MessageType)) p.push({ field: `${at}.type`, message: `The \`type\` must be one of ${MESSAGE_TYPES.join(', ')}.` });
          // An event name is a track call's: beside another type the entry could never match (saved, it would be ignored; until 2026-12-06 it was).
          else if (e.event !== undefined && e.type !== undefined && e.type !== 'track') p.push({ field: `${at}.type`, message: `An \`event\` name is a track call's, so with \`type: ${String(e.type)}\` this entry would never match: drop the \`type\` (or write \`track\`) to count \`${String(e.event)}\` events, or drop the \`event\` to count every ${String(e.type)} call.` });
        }
        p.push(...unknownFields(e, ENGAGEMENT_FIELDS, at));
      });
    }
    checkNumber(p, 'minEvents', body.minEvents, 1, 10_000, true);
    checkNumber(p, 'maxRelativeWidth', body.maxRelativeWidth, 0.01, 100);
    return p;
  },
  // Send time a stored segment rule reads is not switched off under it (until 2026-12-06 it was, and the rule failed for everyone).
  checkStored: checkSendTimeInUse,
  compile(body) {
    const list = body.engagement ?? [];
    return {
      configured: list.length > 0,
      minEvents: body.minEvents ?? 5,
      maxRelativeWidth: body.maxRelativeWidth ?? SEND_TIME_ESTABLISHED.maxRelativeWidth!,
      matches: (m) => list.some((e) => (e.event === undefined || (m.type === 'track' && m.event === e.event)) && (e.type === undefined || m.type === e.type)),
    };
  },
};

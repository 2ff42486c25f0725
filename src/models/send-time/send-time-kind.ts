import { type DocumentKind, unknownFields } from '../../config/document-kind.js';
import { MESSAGE_TYPES, type Message, type MessageType } from '../../collect/message.js';
import type { FieldProblem } from '../../errors/tact-error.js';
import { checkNumber, isObject } from '../kind-checks.js';

/**
 * Which events count as engagement for send time, and how much personal evidence is needed.
 *
 * @example
 * { engagement: [{ event: 'Email Opened' }, { event: 'Email Link Clicked' }], minEvents: 5 }
 */
export interface SendTimeDoc {
  engagement?: { event?: string; type?: MessageType }[];
  /** Personal slots only from this many engagement events on (default 5). */
  minEvents?: number;
}

/**
 * The keys of an engagement entry: another is refused, since saved it would be ignored (a
 * misspelt `event` beside a `type: track` counts every track event as engagement).
 */
const ENGAGEMENT_FIELDS = ['event', 'type'] as const satisfies readonly (keyof NonNullable<SendTimeDoc['engagement']>[number])[];

/** Compiled: a matcher and the evidence threshold. */
export interface CompiledSendTime {
  matches(m: Message): boolean;
  minEvents: number;
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
  fields: ['engagement', 'minEvents'] satisfies (keyof SendTimeDoc)[],
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
        }
        p.push(...unknownFields(e, ENGAGEMENT_FIELDS, at));
      });
    }
    checkNumber(p, 'minEvents', body.minEvents, 1, 10_000, true);
    return p;
  },
  compile(body) {
    const list = body.engagement ?? [];
    return {
      configured: list.length > 0,
      minEvents: body.minEvents ?? 5,
      matches: (m) => list.some((e) => (e.event === undefined || (m.type === 'track' && m.event === e.event)) && (e.type === undefined || m.type === e.type)),
    };
  },
};

/**
 * A Segment-spec message after Tact has checked and normalised it. Field names are Segment's
 * (https://segment.com/docs/connections/spec/common/); times are epoch milliseconds.
 */
export type MessageType = 'track' | 'identify' | 'page' | 'screen' | 'group' | 'alias';

export const MESSAGE_TYPES: readonly MessageType[] = ['track', 'identify', 'page', 'screen', 'group', 'alias'];

export interface Message {
  messageId: string;
  type: MessageType;
  /** track: the event name. */
  event?: string;
  /** page / screen: the page or screen name. */
  name?: string;
  /** page / screen: the category it belongs to (Segment's page spec; analytics-node's screen sends it here only). */
  category?: string;
  userId?: string;
  anonymousId?: string;
  /** alias: the identifier being aliased to userId. */
  previousId?: string;
  /** group: the account id. */
  groupId?: string;
  traits?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  context: Record<string, unknown>;
  integrations?: Record<string, unknown>;
  /** When it happened, corrected for client clock skew as Segment does. */
  timestamp: number;
  /** When this server received it. */
  receivedAt: number;
  /** The client's own clock reading, when it sent one. */
  originalTimestamp?: string;
  sentAt?: string;
}

/**
 * The name features and the tracking plan know an event by: the event name of a track call,
 * else the message type ("page", "screen", "identify", "group", "alias").
 *
 * @example
 * eventKey({ type: 'track', event: 'Order Completed' } as Message); // 'Order Completed'
 */
export function eventKey(m: Pick<Message, 'type' | 'event'>): string {
  return m.type === 'track' ? (m.event as string) : m.type;
}

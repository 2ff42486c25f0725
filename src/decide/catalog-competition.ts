import type { Checker } from './check.js';

type Raw = Record<string, unknown>;
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * What a placement names of its competing actions must be able to compete there, as compileCatalog
 * picks its candidates (on its channel, among its `actions`, with one of its `topics`): an action
 * named that is not delivered on its channel never competes, and a topic no action on its channel
 * has narrows to nothing — a misspelt topic empties the placement, and every decision there is
 * "none", silently. A recommendation placement answers items, not actions: not checked; nor is a
 * channel no action is delivered on yet (the catalog may be written a placement first).
 *
 * @example
 * checkCompetition(c, { id: 'mail', channel: 'email', actions: ['loan'] }, 'placements[0]', actions);
 * // c.problems: [{ field: 'placements[0].actions[0]', message: 'The `placements[0].actions[0]` names the action `loan`, which is not delivered on the placement's channel `email` …' }]
 */
export function checkCompetition(c: Checker, p: Raw, at: string, actions: readonly Raw[]): void {
  if (p.kind === 'recommendation' || typeof p.channel !== 'string') return;
  const channel = p.channel;
  const onChannel = actions.filter((a) => list(a.channels).includes(channel));
  list(p.actions).forEach((id, k) => {
    const a = actions.find((x) => x.id === id);
    // An id the catalog lacks is catalog.ts's problem.
    if (a && !list(a.channels).includes(channel)) c.add(`${at}.actions[${k}]`, `The \`${at}.actions[${k}]\` names the action \`${id}\`, which is not delivered on the placement's channel \`${channel}\` (its channels: ${list(a.channels).join(', ')}): it would never compete at \`${String(p.id)}\`.`);
  });
  const named = Array.isArray(p.actions) ? onChannel.filter((a) => list(p.actions).includes(a.id as string)) : onChannel;
  if (!named.length || !Array.isArray(p.topics)) return;
  const topics = [...new Set(named.flatMap((a) => list(a.topics)))];
  const whose = Array.isArray(p.actions) ? `of its \`actions\` on the channel \`${channel}\`` : `of the actions on the channel \`${channel}\``;
  list(p.topics).forEach((t, k) => {
    if (topics.includes(t)) return;
    const field = `${at}.topics[${k}]`;
    c.add(field, `The \`${field}\` names the topic \`${t}\`, which no action delivered at \`${String(p.id)}\` has: it lets no action compete there. ${topics.length ? `The topics ${whose} are ${topics.join(', ')}.` : `None ${whose} has a topic.`}`);
  });
}

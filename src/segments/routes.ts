import type { FastifyInstance } from 'fastify';
import { errorSchema } from '../collect/schemas.js';
import { nameNotFound } from '../errors/not-found.js';
import { validationError } from '../errors/tact-error.js';
import { requireKey } from '../server/auth.js';
import type { Tact } from '../server/tact.js';
import type { MicroSegmentsState } from './segment-lookup.js';
import { eventsSchema, membersSchema, segmentsSchema } from './segment-schemas.js';
import { segmentsKind } from './segments-kind.js';

const iso = (t: number) => new Date(t).toISOString();

/**
 * GET /v1/segments, /v1/segments/{name}/members and /v1/segments/{name}/events.
 *
 * @example
 * await segmentRoutes(app, tact); // GET /v1/segments/big_spenders/members
 */
export async function segmentRoutes(app: FastifyInstance, tact: Tact): Promise<void> {
  const read = requireKey(tact.keys, 'server', 'read segments');
  // A segment defined now, or one taken out whose entries and exits are kept: a poller syncing an
  // audience still reads the exits (reason `removed`) that emptied it.
  const known = async (name: string) => {
    const defined = tact.settings.get(segmentsKind).audiences.map((x) => x.name);
    if (defined.includes(name)) return;
    const kept = (await tact.store.segments.counts()).map((c) => c.segment);
    if (!kept.includes(name)) throw nameNotFound({ one: 'segment', many: 'segments', listedAt: 'GET /v1/segments' }, name, [...defined, ...kept]);
  };

  app.get('/v1/segments', {
    preHandler: read,
    schema: { tags: ['learn'], summary: 'Segments with their members, entries and exits, the evaluations of their rule that failed (this process, since it started; a warning when every one did), and the live micro-segments with their status (`live`, or `needs-retraining` with the reason when the features they clustered changed since)', response: { 200: segmentsSchema } },
  }, async () => {
    const counts = new Map((await tact.store.segments.counts()).map((c) => [c.segment, c]));
    const live = await tact.learning.lookup.liveMicroSegments();
    const micro = live?.version;
    return {
      version: tact.settings.version('segments'),
      segments: tact.settings.get(segmentsKind).audiences.map((a) => {
        const failed = tact.learning.membership.errors.of(a.name, a.when);
        const warning = tact.learning.membership.errors.warning(a.name, a.when);
        return {
          name: a.name, when: a.when, ...(a.description ? { description: a.description } : {}),
          members: counts.get(a.name)?.members ?? 0, entries: counts.get(a.name)?.entries ?? 0, exits: counts.get(a.name)?.exits ?? 0,
          // Evaluations of this expression that failed in this process since it started (the subject was left out): evaluations, not subjects.
          errors: failed?.count ?? 0, ...(failed ? { lastError: { message: failed.message, at: iso(failed.at) } } : {}),
          // Every evaluation failed (a type the check could not know when the rule was written): rule-errors.ts.
          ...(warning ? { warning } : {}),
        };
      }),
      microSegments: live && micro
        ? {
          modelVersion: `micro-segments@${micro.version}`, features: micro.state.features, k: micro.state.model.k, sizes: micro.state.model.sizes, varianceExplained: micro.state.explained, clusters: clusterCentres(micro.state),
          // `needs-retraining`: the features it clustered changed since it was trained, and it is not applied (micro-segments-status.ts).
          ...live.status,
        }
        : null,
    };
  });

  app.get<{ Params: { name: string }; Querystring: { after?: string; limit?: number } }>('/v1/segments/:name/members', {
    preHandler: read,
    schema: {
      tags: ['learn'],
      summary: 'Members of a segment, by profile id (page with `after`); a segment no longer defined answers none',
      params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          after: { type: 'string', description: 'The `next` of an earlier answer (a profile id): the members after it. Left out: the first page.' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        },
      },
      response: { 200: membersSchema, 400: errorSchema, 404: errorSchema },
    },
  }, async (req) => {
    await known(req.params.name);
    const limit = req.query.limit ?? 100;
    // One more than the page: `next` is null on the last page, also when it is exactly full (until 2026-12-05 it named an empty page after it).
    const read = await tact.store.segments.members(req.params.name, req.query.after === undefined ? '' : membersCursor(req.query.after), limit + 1);
    const members = read.slice(0, limit);
    return { segment: req.params.name, members: members.map((m) => ({ profileId: m.profileId, since: iso(m.since) })), next: read.length > limit ? members[members.length - 1].profileId : null };
  });

  app.get<{ Params: { name: string }; Querystring: { after?: string; limit?: number } }>('/v1/segments/:name/events', {
    preHandler: read,
    schema: {
      tags: ['learn'],
      summary: 'Entries into and exits from a segment: newest first, or with `after` every one once, oldest first (a feed to poll); a segment no longer defined keeps its feed, ending with its exits of reason `removed`; an exit of reason `erased` is reserved for subject erasure, which no route exposes yet',
      params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          after: { type: 'string', description: 'The `next` of an earlier answer (0: from the first event kept): the events recorded after it, oldest first.' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        },
      },
      response: { 200: eventsSchema, 400: errorSchema, 404: errorSchema },
    },
  }, async (req) => {
    await known(req.params.name);
    const limit = req.query.limit ?? 100;
    const after = req.query.after === undefined ? undefined : eventsCursor(req.query.after);
    const list = after === undefined
      ? await tact.store.segments.transitions(req.params.name, limit)
      : await tact.store.segments.transitionsAfter(req.params.name, after, limit);
    // A cursor past the segment's newest event was never handed out (every `next` is an event's id
    // or the cursor it was asked with): taken, it would skip the events written below it from now on.
    if (after && !list.length) {
      const newest = (await tact.store.segments.transitions(req.params.name, 1))[0]?.id ?? 0;
      if (after > newest) throw validationError([{ field: 'querystring.after', message: `The \`after\` cursor ${after} is past the newest event of the segment (${newest}): it is not one this endpoint handed out. Pass the \`next\` of an earlier answer, or 0 to read from the first event.` }]);
    }
    // Where to poll from next: past the newest event answered (or where the poller already was).
    const next = after === undefined ? list[0]?.id ?? 0 : list[list.length - 1]?.id ?? after;
    return {
      segment: req.params.name,
      events: list.map((t) => ({ profileId: t.profileId, kind: t.kind, at: iso(t.at), reason: t.reason, seq: t.seq, segmentsVersion: t.version })),
      next: String(next),
    };
  });
}

/**
 * The members' cursor: a profile id, as `next` handed it out — 26 characters of Crockford base32
 * (identity/profile-id.ts). Any other text is none: `zzz` sorts after every id and would read as
 * the end of the list, `%%%` before them all and would read as the first page.
 */
function membersCursor(after: string): string {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(after)) {
    throw validationError([{ field: 'querystring.after', message: 'The `after` cursor is not one this endpoint hands out (a profile id): pass the `next` of an earlier answer, or leave `after` out for the first page.' }]);
  }
  return after;
}

/** The events feed's cursor: the store's id of an event, as `next` handed it out. */
function eventsCursor(after: string): number {
  if (!/^(0|[1-9][0-9]{0,14})$/.test(after)) {
    throw validationError([{ field: 'querystring.after', message: 'The `after` cursor is not one this endpoint hands out: pass the `next` of an earlier answer, or 0 to read from the first event.' }]);
  }
  return Number(after);
}

/**
 * What each micro-segment is, in the features' own units: its centre (the standardised centroid
 * mapped back, days since for a time, the fill included for those who had no value) and its size
 * at fitting — the number `microSegment` takes in a rule is `index`.
 *
 * @example
 * clusterCentres(state); // [{ index: 0, size: 412, centre: { orders: 1.2, revenue: 38.5 } }, …]
 */
export function clusterCentres(s: MicroSegmentsState): { index: number; size: number; centre: Record<string, number> }[] {
  const { k, d, mean, sd, centroids, sizes } = s.model;
  return Array.from({ length: k }, (_, i) => ({
    index: i,
    size: sizes[i] ?? 0,
    centre: Object.fromEntries(s.features.map((f, j) => [f, rounded(mean[j] + sd[j] * centroids[i * d + j], sd[j])])),
  }));
}

/**
 * A centre's coordinate to ten significant digits of its feature's spread: the float noise of a
 * mean of equal values (−3.3e-16 for 0, 1.0000000000000002 for 1) is not shown (until 2026-12-05 it was).
 */
function rounded(v: number, sd: number): number {
  const per = sd > 0 ? 10 ** (9 - Math.floor(Math.log10(sd))) : NaN;
  // Past 2^53 units of the last digit kept there is no noise below it to take off.
  return per > 0 && Math.abs(v * per) < 2 ** 53 ? Math.round(v * per) / per || 0 : v;
}

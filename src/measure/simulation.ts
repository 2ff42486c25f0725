import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../server/app.js';
import { Tact } from '../server/tact.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { createRng } from './stats/prng.js';

/** The server key of {@link seededTact}. */
export const SIMULATION_KEY = 'simulation-server-key';

/**
 * Tact on an in-memory store whose decisions draw exploration and variants from a seeded
 * generator and read a clock the caller moves: the same seed gives the same decision log.
 *
 * @example
 * const s = await seededTact(measureShop(), { seed: 7 });
 * s.clock.now += 60_000; await s.tact.decide.decider.decide({ subject: 'u1', placement: 'home' });
 */
export async function seededTact(config: Record<string, unknown>, o: { seed: number; start?: number }): Promise<{ tact: Tact; app: FastifyInstance; clock: { now: number }; auth: { authorization: string }; close(): Promise<void> }> {
  const clock = { now: o.start ?? Date.UTC(2026, 10, 1) };
  const store = await openSqliteStore({ path: ':memory:' });
  const tact = await Tact.create({ store, logger: pino({ level: 'silent' }), background: false, configFile: { path: 'simulation', sections: config }, now: () => clock.now, random: createRng(o.seed) });
  await tact.keys.bootstrap({ TACT_SERVER_KEY: SIMULATION_KEY });
  const app = await buildApp(tact);
  return {
    tact, app, clock, auth: { authorization: `Bearer ${SIMULATION_KEY}` },
    async close() {
      await app.close();
      await tact.close();
      await store.close();
    },
  };
}

const DAY = 86_400_000;

/**
 * A small shop for measurement tests and the docs' worked example: one web placement with three
 * offers and a newsletter as safe default; estimates pinned to their prior (a huge prior
 * strength), so every decision scores the same and the truth of any policy is known exactly.
 *
 * @example
 * const h = await harness('sqlite', { config: measureShop({ exploration: 0.3 }) });
 */
export function measureShop(o: { exploration?: number; holdout?: number; experiments?: Record<string, unknown>; levers?: { name: string; actions: string[]; weight: number }[] } = {}) {
  return {
    catalog: {
      actions: [
        { id: 'shoes', name: 'Running shoes offer', channels: ['web'], value: 60, contactCost: 0.2, variants: [{ id: 'a', content: { headline: 'New running shoes' } }, { id: 'b', content: { headline: 'Run further' } }] },
        { id: 'socks', name: 'Socks bundle', channels: ['web'], value: 12, contactCost: 0.1 },
        { id: 'newsletter', name: 'Our newsletter', channels: ['web'], value: 0.5 },
      ],
      placements: [{ id: 'home', name: 'Home page hero', channel: 'web', slots: 1, safeDefault: 'newsletter' }],
    },
    policy: {
      exploration: { budget: o.exploration ?? 0.3 },
      estimates: { priorMean: 0.05, priorStrength: 1e9, personalStrength: 1e9 },
      outcomes: { rewards: { conversion: 'value', unsubscribe: -5 }, attribution: { window: '7d', model: 'last' } },
      ...(o.holdout ? { holdout: { share: o.holdout, salt: 'global' } } : {}),
      ...(o.levers ? { levers: o.levers } : {}),
    },
    ...(o.experiments ? { experiments: o.experiments } : {}),
  };
}

/** Purchase probability and revenue of each option in the simulated shop (the truth OPE must find). */
export const SHOP_TRUTH: Record<string, { p: number; revenue: number }> = {
  shoes: { p: 0.05, revenue: 60 },
  socks: { p: 0.3, revenue: 12 },
  newsletter: { p: 0.02, revenue: 5 },
  none: { p: 0, revenue: 0 },
};

/**
 * Logged traffic: `subjects` decisions at "home", each answered by a purchase with the option's
 * true probability (SHOP_TRUTH), credited to the decision.
 *
 * @example
 * await simulateShopLog(h.tact, { subjects: 3000, seed: 7 });
 */
export async function simulateShopLog(tact: Tact, o: { subjects: number; seed: number; prefix?: string }): Promise<void> {
  const rng = createRng(o.seed);
  for (let i = 0; i < o.subjects; i++) {
    const d = await tact.decide.decider.decide({ subject: `${o.prefix ?? 's'}${i}`, placement: 'home' });
    const c = d.choices[0];
    const truth = SHOP_TRUTH[c.kind === 'action' ? (c.action as string) : 'none'];
    if (rng() < truth.p) await tact.decide.outcomes.record([{ id: `${d.id}-buy`, at: d.at, type: 'conversion', value: truth.revenue, decisionId: d.id, source: 'api' }]);
  }
}

/**
 * An experiment's traffic with a known effect: each subject is "keen" (30%) or not; keen ones
 * buy more before and after exposure (so CUPED has a pre-period to use); the arm named `treated`
 * multiplies the purchase probability by 1 + `lift` (with no experiment at the placement the arm
 * is the logged `treatment` or `holdout`). `keep(arm)` can drop exposures (an SRM).
 *
 * @example
 * await simulateExperiment(h.tact, { subjects: 4000, seed: 1, treated: 'b', lift: 0.5 });
 */
export async function simulateExperiment(tact: Tact, o: { subjects: number; seed: number; treated: string; lift: number; keep?: (arm: string, rng: () => number) => boolean }): Promise<void> {
  const rng = createRng(o.seed);
  const now = Date.now();
  for (let i = 0; i < o.subjects; i++) {
    const subject = `u${i}`;
    const keen = rng() < 0.3;
    const base = keen ? 0.24 : 0.08;
    if (rng() < base) await tact.decide.outcomes.record([{ id: `${subject}-pre`, at: now - 3 * DAY, type: 'conversion', value: 20, profileKey: `anon:${subject}`, source: 'api' }]);
    const d = await tact.decide.decider.prepare({ subject, placement: 'home' });
    const arm = d.record.experiment?.arm ?? d.record.arm;
    if (o.keep && !o.keep(arm, rng)) continue;
    await tact.decide.decider.commit(d);
    const p = base * (arm === o.treated ? 1 + o.lift : 1);
    if (rng() < p) await tact.decide.outcomes.record([{ id: `${subject}-buy`, at: d.record.at, type: 'conversion', value: 20, profileKey: d.record.profileKey, source: 'api' }]);
  }
}

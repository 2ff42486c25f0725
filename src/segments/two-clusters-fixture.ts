import { expect } from 'vitest';
import { afterTraining, harness, type Harness, type StoreKind } from '../../test/harness.js';
import { ingest, track } from '../store/conformance/learn-helpers.js';

/** The fixture's features: what each subject spent, and how many orders. */
export const revenue = { name: 'revenue', kind: 'sum', event: 'Order Completed', property: 'revenue' } as const;
export const orders = { name: 'orders', kind: 'count', event: 'Order Completed' } as const;
/** One audience per micro-segment. */
export const clusterAudiences = [{ name: 'cluster_0', when: 'microSegment == 0' }, { name: 'cluster_1', when: 'microSegment == 1' }];
/** Micro-segments over `features`, two of them. */
export const twoMicroSegments = (features: string[]) => ({ features, k: 2, minSubjects: 4 });

/**
 * Twelve subjects `u-0` … `u-11`, every other one a big spender, and a micro-segments version over
 * revenue and orders trained, promoted and in force: two clusters of six. `use` receives the
 * harness as soon as it is open (for the caller's clean-up).
 *
 * @example
 * const { t, ids, before } = await twoClusters(kind, (t) => (h = t));
 */
export async function twoClusters(kind: StoreKind, use: (t: Harness) => void): Promise<{ t: Harness; ids: string[]; before: (number | null)[] }> {
  const t = await harness(kind, { config: { features: [revenue, orders], segments: { audiences: clusterAudiences, microSegments: twoMicroSegments(['revenue', 'orders']) } } });
  use(t);
  const at = Date.now() - 60_000;
  await ingest(t, Array.from({ length: 12 }, (_, i) => track(`u-${i}`, 'Order Completed', { revenue: i % 2 ? 1000 : 10 }, at + i)));
  const [v1] = await t.tact.learning.train(['micro-segments']);
  await afterTraining();
  expect(v1.promotion).toMatchObject({ promoted: true });
  await t.tact.learning.settled();
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push((await t.store.profiles.findProfileId('userId', `u-${i}`))!);
  return { t, ids, before: await placedIn(t, ids) };
}

/** The micro-segment each profile is placed in now (null for none). */
export async function placedIn(t: Harness, ids: string[]): Promise<(number | null)[]> {
  const out: (number | null)[] = [];
  for (const id of ids) out.push((await t.tact.learning.lookup.microSegment((await t.store.profiles.getProfile(id))!, Date.now()))?.index ?? null);
  return out;
}

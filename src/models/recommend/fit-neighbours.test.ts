import { describe, expect, it } from 'vitest';
import { buildInteractions } from '../../learn/recommend/interactions.js';
import { fitNeighbours, fitNeighboursOffThread, fitRecommendations, fitRecommendationsOffThread, type FitSettings } from './fit-neighbours.js';

// 300 subjects over 40 items: each views an item of its group of four and two neighbours of it.
const subjects: number[] = [];
const items: number[] = [];
for (let s = 0; s < 300; s++) for (const i of [s % 40, (s % 40) ^ 1, (s * 7 + 3) % 40]) (subjects.push(s), items.push(i));
const data = buildInteractions(300, 40, subjects, items);
const settings = (algorithm: FitSettings['algorithm'], easeMaxItems = 1000): FitSettings => ({ algorithm, easeMaxItems, lambda: 20, shrinkage: 10, neighbours: 10 });

describe('the fits of a recommendations training, off the main thread', () => {
  it.each([['ease', settings('ease')], ['cooccurrence', settings('cooccurrence')], ['EASE on the 25 most popular', settings('ease', 25)]] as const)(
    'give the same neighbours, weights and held-out recall as in this thread (%s)',
    async (_, cfg) => {
      const here = fitRecommendations(data, cfg);
      const there = await fitRecommendationsOffThread(data, cfg);
      expect(there.neighbours.to.flat().length).toBeGreaterThan(0);
      // Bit for bit: structured clone keeps every float.
      expect(there).toStrictEqual(here);
      expect(await fitNeighboursOffThread(data, cfg)).toStrictEqual(fitNeighbours(data, cfg));
    },
  );

  it('send the worker only the fit settings, not the catalog or the rules', async () => {
    const full = { ...settings('cooccurrence'), items: { 'sku-1': { name: 'Trail shoe', label: () => 'a function cannot be cloned' } }, rule: 'true' };
    // A function among the catalog's attributes would fail the clone if the whole settings crossed.
    await expect(fitNeighboursOffThread(data, full as FitSettings)).resolves.toStrictEqual(fitNeighbours(data, full));
  });
});

import { describe, expect, it } from 'vitest';
import { alertId } from './alerts.js';
import { closeRemoved, keyOfId, outOfCatalog, unwatched } from './removed.js';

const catalog = (actions: string[], placements: string[]) => ({ actions: new Set(actions), placements: new Set(placements) });
const open = (firedAt: number) => ({ active: true, direction: 'low' as const, firedAt, lastFiredAt: firedAt });
const ALL = ['volume', 'response-rate', 'negative-rate', 'calibration'] as const;

describe('closeRemoved', () => {
  it('closes the open alerts of an action or a placement no longer in the catalog, naming what was removed', () => {
    const tracks = {
      'offer-a|home|all#volume': open(5),
      // reopened at 9 (a relapse within the cool-down of its firing at 6)
      'offer-b|home|vip#negative-rate': { ...open(6), lastFiredAt: 9 },
      'offer-a|footer|all#volume': open(7),
      'offer-b|footer|all#volume': open(8),
      'offer-b|home|all#volume': { active: false, lastFiredAt: 3 },
    };
    const r = closeRemoved(tracks, [...ALL], true, catalog(['offer-a', 'offer-c'], ['home']));
    expect(r.closed).toEqual([
      { id: alertId('offer-b|home|vip#negative-rate@6'), track: 'offer-b|home|vip#negative-rate', metric: 'negative-rate', reason: 'The alert is closed without having recovered: the action `offer-b` is no longer in the catalog.' },
      { id: alertId('offer-a|footer|all#volume@7'), track: 'offer-a|footer|all#volume', metric: 'volume', reason: 'The alert is closed without having recovered: the placement `footer` is no longer in the catalog.' },
      { id: alertId('offer-b|footer|all#volume@8'), track: 'offer-b|footer|all#volume', metric: 'volume', reason: 'The alert is closed without having recovered: the action `offer-b` and the placement `footer` are no longer in the catalog.' },
    ]);
    // Closed tracks keep their firing (the alert a relapse would reopen) and their last opening (the
    // cool-down applies should the action come back); the rest is untouched.
    expect(r.tracks).toEqual({ ...tracks, 'offer-b|home|vip#negative-rate': { active: false, firedAt: 6, lastFiredAt: 9 }, 'offer-a|footer|all#volume': { active: false, firedAt: 7, lastFiredAt: 7 }, 'offer-b|footer|all#volume': { active: false, firedAt: 8, lastFiredAt: 8 } });
    expect(tracks['offer-b|home|vip#negative-rate'].active).toBe(true);
  });

  it('keeps the time a closed alert was open out of its metric\'s later baselines (an incident period up to now)', () => {
    const tracks = { 'offer-b|home|all#response-rate': { ...open(5_000), incidentFrom: 4_000, incidents: [{ from: 1_000, to: 2_000 }] } };
    const r = closeRemoved(tracks, ['volume'], true, undefined, undefined, 9_000);
    expect(r.tracks['offer-b|home|all#response-rate']).toEqual({ active: false, firedAt: 5_000, lastFiredAt: 5_000, incidents: [{ from: 1_000, to: 2_000 }, { from: 4_000, to: 9_000 }] });
  });

  it('names the removed metric, or the monitors turned off, before the catalog', () => {
    const tracks = { 'offer-b|home|all#volume': open(5) };
    const none = catalog([], []);
    expect(closeRemoved(tracks, ['response-rate'], true, none).closed[0].reason).toMatch(/^The metric "volume" was removed/);
    expect(closeRemoved(tracks, [...ALL], false, none).closed[0].reason).toMatch(/^The monitors were turned off/);
    expect(closeRemoved(tracks, [...ALL], true, catalog(['offer-b'], ['home'])).closed).toEqual([]);
    expect(closeRemoved(tracks, [...ALL], true).closed).toEqual([]);
  });
});

describe('closeRemoved with the segments in force', () => {
  it('closes the open alerts of a segment no longer defined, naming it; "all" and the segments defined stay watched', () => {
    const tracks = { 'offer-a|home|vip#volume': open(5), 'offer-a|home|all#volume': open(6), 'offer-a|home|loyal#negative-rate': open(7) };
    const r = closeRemoved(tracks, [...ALL], true, catalog(['offer-a'], ['home']), new Set(['loyal']));
    expect(r.closed).toEqual([
      { id: alertId('offer-a|home|vip#volume@5'), track: 'offer-a|home|vip#volume', metric: 'volume', reason: 'The alert is closed without having recovered: the segment `vip` is no longer defined (`segments.audiences`).' },
    ]);
    expect(r.tracks['offer-a|home|vip#volume']).toEqual({ active: false, firedAt: 5, lastFiredAt: 5 });
    // Without the segments in force (a settings without that kind), every segment is watched.
    expect(closeRemoved(tracks, [...ALL], true, catalog(['offer-a'], ['home'])).closed).toEqual([]);
    // An action removed is named first.
    expect(closeRemoved(tracks, [...ALL], true, catalog([], ['home']), new Set()).closed.map((c) => c.reason)).toEqual(Array(3).fill('The alert is closed without having recovered: the action `offer-a` is no longer in the catalog.'));
  });
});

describe('unwatched', () => {
  it('says why a key is no longer watched, or null', () => {
    const segments = new Set(['vip']);
    const cat = catalog(['offer-a'], ['home']);
    expect(unwatched('offer-a|home|vip', cat, segments)).toBeNull();
    expect(unwatched('offer-a|home|all', cat, new Set())).toBeNull();
    expect(unwatched('offer-a|home|gone', cat, segments)).toBe('the segment `gone` is no longer defined (`segments.audiences`)');
    expect(unwatched('offer-b|home|vip', cat, segments)).toBe('the action `offer-b` is no longer in the catalog');
    expect(unwatched('offer-b|home|gone')).toBeNull();
  });
});

describe('outOfCatalog and keyOfId', () => {
  it('split a key or track id at its first two bars (a segment may hold any character)', () => {
    expect(keyOfId('offer-b|home|a|b#c#volume')).toEqual({ action: 'offer-b', placement: 'home' });
    expect(outOfCatalog(keyOfId('offer-b|home|x'), catalog(['offer-b'], ['home']))).toBeNull();
  });
});

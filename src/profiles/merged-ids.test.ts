import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_MERGES, mergedInto, mergeHistory } from './merged-ids.js';
import type { MergeRow, ProfileStore } from './profile-store.js';

/** The merge records given, as a store answers `merges(id)`: every record into or out of the profile. */
function storeOf(rows: [from: string, into: string][]): Pick<ProfileStore, 'merges'> {
  const all: MergeRow[] = rows.map(([from, into], i) => ({ from, into, messageId: `m${i}`, reason: 'identify', viaKind: 'anonymousId', viaValue: from, at: i }));
  return { merges: async (id: string) => all.filter((m) => m.into === id || m.from === id) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('mergedInto', () => {
  it('follows chains: A → B → C gives, for C, B then A', async () => {
    expect(await mergedInto(storeOf([['A', 'B'], ['B', 'C']]), 'C')).toEqual(['B', 'A']);
  });

  it('gives every profile of a survivor with 64 or more direct merges, and those merged into them', async () => {
    // A shared kiosk's profile absorbs one visitor per session; each visitor had absorbed a device
    // first. The walk stopped once 64 records were read: the 70 devices were left out, and so were
    // their decisions, exposures and contacts (contact limits, flags and experiments read these keys).
    const rows: [string, string][] = [];
    for (let i = 0; i < 70; i++) rows.push([`visitor${i}`, 'kiosk'], [`device${i}`, `visitor${i}`]);
    const ids = await mergedInto(storeOf(rows), 'kiosk');
    expect(ids).toHaveLength(140);
    expect(new Set(ids)).toEqual(new Set(rows.map(([from]) => from)));
    expect(await mergeHistory(storeOf(rows), 'kiosk')).toHaveLength(140);
  });

  it(`stops at ${MAX_MERGES} records, nearest first, and says so once per profile`, async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const rows: [string, string][] = [['near', 'big'], ['far', 'near']];
    for (let i = 0; i < MAX_MERGES; i++) rows.push([`p${i}`, 'big']);
    const ids = await mergedInto(storeOf(rows), 'big');
    expect(ids).toHaveLength(MAX_MERGES);
    expect(ids).toContain('near');
    expect(ids).not.toContain('far');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toBe(`Profile big has more than ${MAX_MERGES} profiles merged into it: only the ${MAX_MERGES} nearest are read, so the decisions, exposures and contacts of the others are not counted for it (contact limits, flags, experiments).`);
    await mergedInto(storeOf(rows), 'big');
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import { shopConfig, shopPolicy } from './fixtures.js';

const territory = (accounts: string[], flags?: string[]) => ({ ...shopPolicy(), humanTerritory: [{ name: 't', queue: 'q', accounts, ...(flags ? { flags } : {}) }] });

/**
 * A human territory on an account id no group() call can make — blank, or blocked by the merge
 * rules (`null`, `undefined` …) — covers no one by it; until 2026-12-05 it was taken.
 */
describe('a human territory naming an account that can never exist', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is refused when the policy is written, naming the field: blank, blocked by the merge rules in force, or a flag name no flag can have', async () => {
    h = await harness('sqlite', { config: shopConfig() });
    const put = async (accounts: string[], flags?: string[]) => {
      const r = await putConfig(h!, 'policy', territory(accounts, flags));
      return [r.statusCode, (r.json().problems ?? []) as { field: string; message: string }[]] as const;
    };
    expect(await put(['  '])).toEqual([400, [{ field: 'humanTerritory[0].accounts[0]', message: 'The `humanTerritory[0].accounts[0]` is blank (only white space): it names no account, so the entry would cover no one by it.' }]]);
    expect(await put(['acme', 'null'])).toEqual([400, [{ field: 'humanTerritory[0].accounts[1]', message: 'The `humanTerritory[0].accounts[1]` `null` can never be an account: the value "null" is on the blocked list of the merge rules, so no group() call makes it and the entry would cover no one by it.' }]]);
    expect((await put(['acme'], ['has space']))[1].map((p) => p.field)).toEqual(['humanTerritory[0].flags[0]']);
    expect((await put(['acme', 'x'.repeat(513)]))[1].map((p) => p.message)).toEqual([expect.stringContaining('can never be an account: it is 513 characters long, and an account id may be at most 512')]);
    expect((await put(['acme'], ['pause']))[0]).toBe(200);
    // The merge rules in force decide what is blocked: "null" taken off the list is an account id like any other.
    expect((await putConfig(h, 'merge-rules', { unblocked: ['null'] })).statusCode).toBe(200);
    expect((await put(['null']))[0]).toBe(200);
  });
});

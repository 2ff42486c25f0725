import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import { shopCatalog, shopFeatures, shopPolicy } from './fixtures.js';
import { catalogNames, policyTargetProblems } from './policy-targets.js';

const refused = async (r: { statusCode: number; body: string; json(): { problems?: { field: string; message: string }[] } }) => {
  expect(r.statusCode, r.body).toBe(400);
  return r.json().problems ?? [];
};

describe('`consent.assumeGranted` naming a purpose no action of the catalog has', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is refused when the policy is written, naming the field and the purpose: saved, a typo would assume nothing granted', async () => {
    h = await harness('sqlite', { config: { features: shopFeatures, catalog: shopCatalog() } });
    const problems = await refused(await putConfig(h, 'policy', { ...shopPolicy(), consent: { assumeGranted: ['Advertising', 'Advertsing'] } }));
    expect(problems).toEqual([
      { field: 'consent.assumeGranted[1]', message: 'The `consent.assumeGranted[1]` names the purpose `Advertsing`, which no action of the catalog (version 1) has: nothing would be assumed granted by it. Did you mean `Advertising`? The catalog\'s purposes are Advertising.' },
    ]);
    expect(h.tact.decide.playbook().policyVersion).toBe(0);
    // A purpose the catalog's actions declare is taken.
    expect((await putConfig(h, 'policy', { ...shopPolicy(), consent: { assumeGranted: ['Advertising'] } })).statusCode).toBe(200);
  });

  it('is refused before any catalog is written, and says so against a catalog with no purpose at all', () => {
    const policy = { consent: { assumeGranted: ['Email'] } };
    expect(policyTargetProblems(policy, catalogNames(undefined, 0))).toEqual([
      { field: 'consent.assumeGranted[0]', message: 'The `consent.assumeGranted[0]` names the purpose `Email`, which no action of the catalog has (none is written yet: write the catalog first; a config file writes it before the policy): nothing would be assumed granted by it.' },
    ]);
    const bare = { actions: [{ id: 'news', name: 'News', channels: ['email'] }] };
    expect(policyTargetProblems(policy, catalogNames(bare, 3))).toEqual([
      { field: 'consent.assumeGranted[0]', message: 'The `consent.assumeGranted[0]` names the purpose `Email`, which no action of the catalog (version 3) has: nothing would be assumed granted by it. The catalog has no purposes.' },
    ]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, harness, send, type Harness, type StoreKind } from '../../../test/harness.js';
import { shopConfig } from '../../decide/fixtures.js';
import { decideReq, picked } from '../../decide/test-http.js';

const prefs = (categoryPreferences: Record<string, unknown>) => ({ consent: { categoryPreferences } });

/** Consent values and purpose names as clients send them, through collection, the profile and a decision. */
export function consentConformance(kind: StoreKind): void {
  describe(`consent as clients send it (${kind})`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await harness(kind, { config: shopConfig() });
    });
    afterEach(async () => h.close());

    const profile = async (id: string) => (await get(h.app, `/v1/profiles/${id}`)).json();
    const advertised = async (id: string) => picked((await decideReq(h.app, { subject: id, placement: 'home', n: 3 })).json()).filter((a) => a === 'shoes-offer' || a === 'socks-offer');

    it.each([['"false"', 'false'], ['0', 0], ['null', null], ['"no"', 'no']])('reads a withdrawal sent as %s as not granted, and the profile says so', async (_, value) => {
      await send(h.app, '/v1/track', { userId: 'm-cv', event: 'X', context: prefs({ Advertising: true }) });
      expect(await advertised('m-cv')).not.toEqual([]);
      const r = await send(h.app, '/v1/track', { userId: 'm-cv', event: 'X', context: prefs({ Advertising: value }) });
      expect(r.statusCode).toBe(200);
      const p = await profile('m-cv');
      expect(p.consent.Advertising.granted).toBe(false);
      expect(p.consentHistory.map((c: { changes: object }) => c.changes)).toEqual([{ Advertising: false }, { Advertising: true }]);
      expect(p.identityConflicts).toEqual([expect.objectContaining({ kind: 'consent', value: 'Advertising', count: 1, reason: expect.stringContaining(`was ${JSON.stringify(value)}`) })]);
      expect(await advertised('m-cv')).toEqual([]);
    });

    it('matches purposes without regard to case or spaces, and ignores a blank one, saying so', async () => {
      await send(h.app, '/v1/track', { userId: 'm-case', event: 'X', context: prefs({ Advertising: true }) });
      await send(h.app, '/v1/track', { userId: 'm-case', event: 'X', context: prefs({ advertising: false, ' Analytics ': true, '': true }) });
      const p = await profile('m-case');
      expect(p.consent).toEqual({ Advertising: expect.objectContaining({ granted: false }), Analytics: expect.objectContaining({ granted: true }) });
      expect(p.consentHistory.map((c: { changes: object }) => c.changes)).toEqual([{ Advertising: false, Analytics: true }, { Advertising: true }]);
      expect(p.identityConflicts).toEqual([expect.objectContaining({ kind: 'consent', value: '', reason: expect.stringMatching(/blank name/) })]);
      expect(await advertised('m-case')).toEqual([]);
      await send(h.app, '/v1/track', { userId: 'm-case', event: 'X', context: prefs({ ADVERTISING: true }) });
      expect((await profile('m-case')).consent.Advertising.granted).toBe(true);
      expect(await advertised('m-case')).not.toEqual([]);
    });
  });
}

import { afterEach, describe, expect, it } from 'vitest';
import { KEYS, bearer, get, harness, type Harness } from '../../test/harness.js';
import { shopConfig, shopPolicy } from './fixtures.js';
import { post } from './test-http.js';

/**
 * A policy reading a flag name no open or declared flag has, beside one that is close, is taken with
 * a warning naming the rule and the flag likely meant — the reverse of POST /v1/flags's warning for
 * a flag no rule reads. Until 2026-12-06 (QA) `flags.procurment_delay` in a rule was taken in
 * silence while `procurement_delay` was open on an account, and the rule paused no one.
 */
describe('policy: flag names its rules read', () => {
  let h: Harness;
  afterEach(async () => h.close());
  const misspelt = {
    ...shopPolicy(),
    rules: [...(shopPolicy().rules ?? []), { name: 'paused', stage: 'suitability', when: '!has(flags.procurment_delay) && !has(flags.bereavement)' }],
    humanTerritory: [{ name: 'paused accounts', queue: 'account-managers', flags: ['Procurement_delay'] }],
  };
  const put = (document: object) => h.app.inject({ method: 'PUT', url: '/v1/config/policy', headers: { authorization: bearer(KEYS.admin) }, payload: { document, reason: 'pause procurement' } });

  it('warns on PUT of a rule or a territory reading a name no open flag has, naming the rule and the open flag meant', async () => {
    h = await harness('sqlite', { config: shopConfig() });
    const flag = await post(h.app, '/v1/flags', { account: 'acme', name: 'procurement_delay', note: 'pause automated sequences' }, KEYS.admin);
    expect(flag.statusCode, flag.body).toBe(201);
    const r = await put(misspelt);
    expect(r.statusCode, r.body).toBe(200);
    const rule = `rules[${misspelt.rules.length - 1}].when`;
    expect(r.json().warnings).toEqual([
      { field: rule, message: `The rule in \`${rule}\` reads \`flags.procurment_delay\`, and no open or declared flag has that name: no subject has it now. Did you mean \`procurement_delay\`? Flag names are case-sensitive. The policy is taken.` },
      { field: 'humanTerritory[0].flags[0]', message: expect.stringContaining('The human territory `paused accounts` (`humanTerritory[0].flags[0]`) reads `flags.Procurement_delay`, and no open or declared flag has that name') },
    ]);
    expect(r.json().warnings[1].message).toContain('Did you mean `procurement_delay`?');
    // The names as the open flag has them: nothing to say (`bereavement`, far from any open flag, neither).
    const right = await put({ ...misspelt, rules: [...(shopPolicy().rules ?? []), { name: 'paused', stage: 'suitability', when: '!has(flags.procurement_delay) && !has(flags.bereavement)' }], humanTerritory: [{ name: 'paused accounts', queue: 'account-managers', flags: ['procurement_delay'] }] });
    expect([right.statusCode, right.json().warnings]).toEqual([200, []]);
  });

  it('warns of a config file\'s policy against the flags the file declares (GET /v1/config/policy says it)', async () => {
    h = await harness('sqlite', { config: { ...shopConfig(misspelt), flags: [{ account: 'acme', name: 'procurement_delay', note: 'pause automated sequences' }] } });
    const fields = (await get(h.app, '/v1/config/policy')).json().warnings.map((w: { field: string; message: string }) => [w.field, w.message.includes('Did you mean `procurement_delay`?')]);
    expect(fields).toEqual([[`rules[${misspelt.rules.length - 1}].when`, true], ['humanTerritory[0].flags[0]', true]]);
  });
});

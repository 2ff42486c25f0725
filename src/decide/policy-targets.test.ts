import pino from 'pino';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { get, harness, openTestStore, type Harness } from '../../test/harness.js';
import { putConfig } from '../store/conformance/learn-helpers.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { testDir } from '../../test/tmp.js';
import type { Catalog } from './catalog.js';
import { shopCatalog, shopConfig, shopFeatures, shopPolicy } from './fixtures.js';
import type { Policy } from './policy.js';

const refused = async (r: { statusCode: number; body: string; json(): { problems?: { field: string; message: string }[] } }) => {
  expect(r.statusCode, r.body).toBe(400);
  return r.json().problems ?? [];
};
const CHANNELS = 'The catalog\'s channels are web, email.';
const TOPICS = 'The catalog\'s topics are marketing, service, finance, content.';

/** The shop's catalog with every `email` renamed `mail` (actions and placements). */
function mailCatalog(): Catalog {
  const c = shopCatalog();
  for (const a of c.actions!) a.channels = a.channels.map((x) => (x === 'email' ? 'mail' : x));
  for (const p of c.placements!) if (p.channel === 'email') p.channel = 'mail';
  return c;
}
/** The shop's policy with every `email` renamed `mail`. */
function mailPolicy(): Policy {
  const p = shopPolicy();
  p.contact = { ...p.contact, caps: [{ name: 'mail cap', channel: 'mail', max: 2, window: '7d' }], quietHours: { from: '21:00', to: '08:00', channels: ['mail'] } };
  return p;
}

describe('a policy that names a channel, topic or action the catalog does not have', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is refused when the policy is written, naming the field and the closest name of the catalog: saved, its quiet hours would let night e-mails go out', async () => {
    h = await harness('sqlite', { config: { features: shopFeatures, catalog: shopCatalog() } });
    const p = shopPolicy();
    p.contact!.quietHours!.channels = ['e-mail'];
    expect(await refused(await putConfig(h, 'policy', p))).toEqual([
      { field: 'contact.quietHours.channels[0]', message: `The \`contact.quietHours.channels[0]\` names the channel \`e-mail\`, which no action or placement of the catalog (version 1) has: these quiet hours would never apply to it. Did you mean \`email\`? ${CHANNELS}` },
    ]);
    const all: Policy = {
      ...shopPolicy(),
      rules: [{ ...shopPolicy().rules![1], topics: ['marketting'] }, { name: 'web only', stage: 'eligibility', when: 'true', channels: ['wbe'], actions: ['shoes-offer', 'sock-offer'] }],
      contact: {
        caps: [{ name: 'email cap', channel: 'emial', max: 2, window: '7d' }, { name: 'promos', topic: 'promotions', max: 3, window: '7d' }, { name: 'loans', action: 'loan', max: 1, window: '30d' }],
        budgets: [{ name: 'sends', channel: 'sms', max: 100, window: '1d' }],
      },
      levers: [{ name: 'push', weight: 1.2, actions: ['newsleter'] }],
    };
    expect(await refused(await putConfig(h, 'policy', all))).toEqual([
      { field: 'rules[0].topics[0]', message: `The \`rules[0].topics[0]\` names the topic \`marketting\`, which no action or placement of the catalog (version 1) has: the rule would never apply to it. Did you mean \`marketing\`? ${TOPICS}` },
      { field: 'rules[1].actions[1]', message: 'The `rules[1].actions[1]` names the action `sock-offer`, which the catalog (version 1) does not have: the rule would never apply to it. Did you mean `socks-offer`?' },
      { field: 'rules[1].channels[0]', message: `The \`rules[1].channels[0]\` names the channel \`wbe\`, which no action or placement of the catalog (version 1) has: the rule would never apply to it. Did you mean \`web\`? ${CHANNELS}` },
      { field: 'contact.caps[0].channel', message: `The \`contact.caps[0].channel\` names the channel \`emial\`, which no action or placement of the catalog (version 1) has: the cap would count nothing. Did you mean \`email\`? ${CHANNELS}` },
      { field: 'contact.caps[1].topic', message: `The \`contact.caps[1].topic\` names the topic \`promotions\`, which no action or placement of the catalog (version 1) has: the cap would count nothing. ${TOPICS}` },
      { field: 'contact.caps[2].action', message: 'The `contact.caps[2].action` names the action `loan`, which the catalog (version 1) does not have: the cap would count nothing. The catalog has 5 actions.' },
      { field: 'contact.budgets[0].channel', message: `The \`contact.budgets[0].channel\` names the channel \`sms\`, which no action or placement of the catalog (version 1) has: the budget would limit nothing. ${CHANNELS}` },
      { field: 'levers[0].actions[0]', message: 'The `levers[0].actions[0]` names the action `newsleter`, which the catalog (version 1) does not have: the lever would never apply to it. Did you mean `newsletter`?' },
    ]);
    expect(h.tact.decide.playbook().policyVersion).toBe(0);
    expect((await putConfig(h, 'policy', shopPolicy())).statusCode).toBe(200);
  });

  it('is refused before any catalog is written: the catalog comes first (as the config file writes it)', async () => {
    h = await harness('sqlite', { config: { features: shopFeatures } });
    const problems = await refused(await putConfig(h, 'policy', shopPolicy()));
    expect(problems[0]).toEqual({ field: 'rules[1].topics[0]', message: 'The `rules[1].topics[0]` names the topic `marketing`, which no action or placement of the catalog has (none is written yet: write the catalog first; a config file writes it before the policy): the rule would never apply to it.' });
    expect(problems.map((p) => p.field)).toEqual(['rules[1].topics[0]', 'contact.caps[0].channel', 'contact.quietHours.channels[0]']);
    // A policy that names nothing of the catalog needs none.
    expect((await putConfig(h, 'policy', { exploration: { budget: 0.1 } })).statusCode).toBe(200);
  });

  it('in a config file, stops the start naming the field; a file that renames a channel in both the catalog and the policy applies', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    try {
      const typo = shopConfig({ contact: { quietHours: { from: '21:00', to: '08:00', channels: ['e-mail'] } } });
      await expect(harness('sqlite', { store, config: typo })).rejects.toThrow('The `policy` section of test-config is not valid: contact.quietHours.channels[0]: The `contact.quietHours.channels[0]` names the channel `e-mail`');
      h = await harness('sqlite', { store, config: shopConfig() });
      // The file renames `email` to `mail` everywhere: the catalog is written first while the stored policy still names `email`.
      expect(await h.tact.settings.applyFile({ path: 'test-config', sections: { features: shopFeatures, catalog: mailCatalog(), policy: mailPolicy() } })).toEqual(['catalog', 'policy']);
      expect(h.tact.decide.playbook().policy.quietHours?.channels).toEqual(new Set(['mail']));
      expect((await get(h.app, '/v1/config/policy')).json().problems).toEqual([]);
    } finally {
      await h?.close();
      h = undefined;
      await cleanup();
    }
  });
});

describe('a catalog that drops a channel, topic or action the policy in force names', () => {
  it('is written (the policy may follow), and the policy\'s problems say what it names in vain — on read, in a warning at the change and at start', async () => {
    const path = join(testDir('tact-targets-'), 'tact.db');
    const lines: { level: number; msg: string; kind?: string }[] = [];
    const sink = new Writable({ write(chunk, _e, cb) { for (const l of String(chunk).trim().split('\n')) lines.push(JSON.parse(l)); cb(); } });
    const { Tact } = await import('../server/tact.js');
    const open = async () => Tact.create({ store: await openSqliteStore({ path }), logger: pino({ level: 'info' }, sink), background: false });
    let tact = await open();
    try {
      await tact.settings.applyFile({ path: 'test-config', sections: shopConfig() });
      // The last e-mail action goes (and the e-mail placement with it): nothing e-mails any more.
      const c = shopCatalog();
      for (const a of c.actions!) a.channels = a.channels.filter((x) => x !== 'email');
      c.placements = c.placements!.filter((p) => p.channel !== 'email');
      const put = await tact.settings.put('catalog', c, { author: 'test', reason: 'no more e-mail' });
      expect(put.version).toBe(2);
      const problems = await tact.settings.storedProblems('policy');
      expect(problems.map((p) => p.field)).toEqual(['contact.caps[0].channel', 'contact.quietHours.channels[0]']);
      expect(problems[1].message).toBe('The `contact.quietHours.channels[0]` names the channel `email`, which no action or placement of the catalog (version 2) has: these quiet hours would never apply to it. The catalog\'s channels are web.');
      const warned = lines.filter((l) => l.level === 40 && /catalog \(version 2\)/.test(l.msg));
      expect(warned).toHaveLength(1);
      expect(warned[0].msg).toMatch(/^The catalog \(version 2\) no longer has what the policy in force \(version 1\) names; the policy stays in force, and what it names in vain matches nothing until it is changed: contact\.caps\[0\]\.channel: .*`email`.* contact\.quietHours\.channels\[0\]: /);
      // At the next start too.
      await tact.close();
      lines.length = 0;
      tact = await open();
      expect(lines.filter((l) => l.level === 40 && l.kind === 'policy').map((l) => l.msg)).toEqual([expect.stringMatching(/^The stored `policy` \(version 1\) does not pass this version's checks; it stays in force as stored until it is changed: contact\.caps\[0\]\.channel: /)]);
      // A policy written now must not name it.
      await expect(tact.settings.put('policy', shopPolicy(), { author: 'test', reason: 'again' })).rejects.toMatchObject({ problems: [{ field: 'contact.caps[0].channel' }, { field: 'contact.quietHours.channels[0]' }] });
      const { contact: _dropped, ...noMail } = shopPolicy();
      await tact.settings.put('policy', noMail, { author: 'test', reason: 'no more e-mail' });
      expect(await tact.settings.storedProblems('policy')).toEqual([]);
    } finally {
      await tact.close();
    }
  });
});

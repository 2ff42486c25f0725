import { describe, expect, it } from 'vitest';
import { assign } from '../experiments/assignment.js';
import { warnExperimentPins } from './experiments-kind.js';

/** The documents in force: only the policy matters here. */
const salts = <W extends { field: string }>(w: W[]) => w.filter((x) => x.field.endsWith('.salt'));
const docs = (holdout: unknown) => ({ latest: async <T>(kind: string) => (kind === 'policy' && holdout ? { body: { holdout } as T } : undefined) }) as never;
const arms = [{ id: 'control', weight: 0.5 }, { id: 'treat', weight: 0.5 }];

describe('an experiment salted as the global holdout', () => {
  it('starves its first arm: the holdout takes the lowest buckets, which are that arm\'s (the reason for the warning)', () => {
    const count = (salt: string) => {
      const n: Record<string, number> = {};
      for (let i = 0; i < 4000; i++) {
        const a = assign(`u${i}`, { salt, arms }, { salt: 'global', share: 0.1 });
        const arm = a.kind === 'arm' ? a.armId : a.kind;
        n[arm] = (n[arm] ?? 0) + 1;
      }
      return n;
    };
    const same = count('global');
    const own = count('mail');
    // With its own salt the arms share the holdout's loss evenly; with the holdout's, control alone pays it.
    expect(Math.abs(own.control - own.treat)).toBeLessThan(200);
    expect(same.treat - same.control).toBeGreaterThan(300);
  });

  it('is warned of, naming `<id>.salt`, for a running experiment whose salt (or id, its default) is the holdout\'s', async () => {
    const warnings = salts(await warnExperimentPins({ mail: { placement: 'weekly-email', salt: 'global', arms }, other: { placement: 'home', arms } } as never, docs({ share: 0.1, salt: 'global' })));
    expect(warnings.map((w) => w.field)).toEqual(['mail.salt']);
    expect(warnings[0].message).toMatch(/^The `mail\.salt` is "global", the global holdout's own salt: the holdout takes the 10% of people in the lowest buckets, which are the first arm's \(`control`\)/);
    // The holdout's default salt, "holdout", is an experiment named so's default too.
    expect(salts(await warnExperimentPins({ holdout: { placement: 'home', arms } } as never, docs({ share: 0.05 }))).map((w) => w.field)).toEqual(['holdout.salt']);
    // No holdout, a stopped experiment, or a salt of its own: nothing to say.
    expect(salts(await warnExperimentPins({ mail: { placement: 'weekly-email', salt: 'global', arms } } as never, docs(undefined)))).toEqual([]);
    expect(salts(await warnExperimentPins({ mail: { placement: 'weekly-email', salt: 'global', status: 'stopped', arms } } as never, docs({ share: 0.1, salt: 'global' })))).toEqual([]);
    expect(salts(await warnExperimentPins({ mail: { placement: 'weekly-email', salt: 'mail-2026', arms } } as never, docs({ share: 0.1, salt: 'global' })))).toEqual([]);
  });
});

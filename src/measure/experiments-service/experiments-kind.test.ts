import { describe, expect, it } from 'vitest';
import { checkExperiments } from './experiments-kind.js';

describe('the experiments document', () => {
  it('refuses a misspelt field of an experiment or an arm, naming it, rather than saving an arm that pins nothing', () => {
    const body = {
      'hero-test': {
        placement: 'home',
        contorl: 'new',
        arms: [{ id: 'old', weight: 0.5, policy: 1 }, { id: 'new', weight: 0.5, polcy: 2 }],
      },
    };
    const p = checkExperiments(body);
    expect(p.map((x) => x.field)).toEqual(['hero-test.contorl', 'hero-test.arms[1].polcy']);
    expect(p[0].message).toMatch(/Did you mean `control`\?/);
    expect(p[1].message).toMatch(/Did you mean `policy`\?/);
  });

  it('says an id must start with a letter or digit when one does not (`-x` is made of the allowed characters)', () => {
    const p = checkExperiments({ '-hero': { placement: 'home', arms: [{ id: '.a', weight: 1 }, { id: 'b', weight: 1 }] } });
    expect(p.find((x) => x.field === '-hero')?.message).toMatch(/starting with a letter or digit/);
    expect(p.find((x) => x.field === '-hero.arms[0].id')?.message).toMatch(/starting with a letter or digit/);
  });

  it('takes every documented field', () => {
    const arms = [
      { id: 'a', weight: 1, policy: 1 },
      { id: 'b', weight: 1, model: 'uplift@4' },
      { id: 'c', weight: 1, variant: { action: 'shoes', variant: 'b' } },
    ];
    expect(checkExperiments({ t: { placement: 'home', salt: 's', status: 'stopped', control: 'b', arms } })).toEqual([]);
  });

  it('takes a planned sample size for the fixed-horizon test, a whole number of units, naming the field otherwise', () => {
    const arms = [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }];
    expect(checkExperiments({ t: { placement: 'home', plannedUnits: 20_000, arms } })).toEqual([]);
    for (const plannedUnits of [0, -5, 1.5, '2000', null]) {
      expect(checkExperiments({ t: { placement: 'home', plannedUnits, arms } })).toEqual([{ field: 't.plannedUnits', message: expect.stringMatching(/^The `plannedUnits` is the total number of units/) }]);
    }
  });
});

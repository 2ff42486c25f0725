import { describe, expect, it } from 'vitest';
import { trainLine } from './cli.js';

describe('tact train prints what a training warned of under its line', () => {
  it('prints each warning of the promotion (which repeats the training\'s) on a line of its own', () => {
    const line = trainLine({
      model: 'micro-segments', version: 1, seconds: 0.4, metrics: { warnings: ['Micro-segments group no one apart: …'] },
      promotion: { name: 'micro-segments', version: 1, promoted: true, previous: null, reason: 'first version: there is no live version to compare with', comparison: null, warnings: [{ version: 1, message: 'Version 1 of micro-segments is live; its training warned: Micro-segments group no one apart: …' }] },
    });
    expect(line.split('\n')).toEqual([
      'micro-segments   version 1 — live (first version: there is no live version to compare with)  [0.4 s]',
      '                 warning: Version 1 of micro-segments is live; its training warned: Micro-segments group no one apart: …',
      '',
    ]);
  });

  it('prints the training\'s own warnings when the version was not promoted, and nothing more when there are none', () => {
    const refused = trainLine({
      model: 'micro-segments', version: 2, seconds: 0.3, metrics: { warnings: ['1 of the 3 clusters is empty and places no one.'] },
      promotion: { name: 'micro-segments', version: 2, promoted: false, previous: 1, reason: 'the comparison with version 1 does not favour it', comparison: null },
    });
    expect(refused).toContain('\n                 warning: 1 of the 3 clusters is empty and places no one.\n');
    expect(trainLine({ model: 'rates', skipped: 'no data yet', seconds: 0.1 })).toBe('rates            skipped: no data yet  [0.1 s]\n');
  });

  it('says a version is the same model as the live one, under its line', () => {
    const line = trainLine({
      model: 'rates', version: 5, seconds: 0.2, sameAs: 4, unchanged: 'version 5 is the same model as version 4, live when it was trained (nothing new since)',
      promotion: { name: 'rates', version: 5, promoted: false, previous: 4, reason: 'no difference', comparison: null },
    });
    expect(line.split('\n')[1]).toBe('                 note: version 5 is the same model as version 4, live when it was trained (nothing new since)');
  });
});

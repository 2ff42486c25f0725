import { describe, expect, it } from 'vitest';
import { fileWarningLines, type SectionWarning } from './file-warnings.js';

const at = (kind: string, field: string, message: string, between?: string): SectionWarning =>
  ({ kind, configKey: kind === 'merge-rules' ? 'mergeRules' : kind, warning: { field, message, ...(between === undefined ? {} : { between }) } });

describe('the warnings a start logs of the config file', () => {
  it('says a contradiction both sections warn of once, naming both, in the words of the first', () => {
    const lines = fileWarningLines('tact.config.yaml', [
      at('catalog', 'placements[0].selection.floor', 'The floor is above the budget.', 'p0'),
      at('catalog', 'placements[1].selection.floor', 'The floor is above the budget.', 'p1'),
      at('policy', 'exploration.budget', 'The budget is below the floor of p0.', 'p0'),
      at('policy', 'exploration.budget', 'The budget is below the floor of p1.', 'p1'),
    ]);
    expect(lines).toEqual([
      { data: { file: 'tact.config.yaml', kind: 'catalog', field: 'placements[0].selection.floor', kinds: ['catalog', 'policy'] }, msg: 'The `catalog` and `policy` sections of tact.config.yaml are applied with a warning: placements[0].selection.floor: The floor is above the budget.' },
      { data: { file: 'tact.config.yaml', kind: 'catalog', field: 'placements[1].selection.floor', kinds: ['catalog', 'policy'] }, msg: 'The `catalog` and `policy` sections of tact.config.yaml are applied with a warning: placements[1].selection.floor: The floor is above the budget.' },
    ]);
  });

  it('keeps a section\'s own warnings, the same sentence in two sections too, and only drops one a section repeats', () => {
    const lines = fileWarningLines('f.yaml', [
      at('policy', 'exploration.budget', 'The budget is below the floor of p0.', 'p0'),
      at('merge-rules', 'rules[0]', 'Same words.'),
      at('merge-rules', 'rules[0]', 'Same words.'),
      at('merge-rules', 'rules[1]', 'Same words.'),
      at('segments', 'rules[0]', 'Same words.'),
    ]);
    expect(lines.map((l) => l.msg)).toEqual([
      'The `policy` section of f.yaml is applied with a warning: exploration.budget: The budget is below the floor of p0.',
      'The `mergeRules` section of f.yaml is applied with a warning: rules[0]: Same words.',
      'The `mergeRules` section of f.yaml is applied with a warning: rules[1]: Same words.',
      'The `segments` section of f.yaml is applied with a warning: rules[0]: Same words.',
    ]);
    expect(lines[1].data).toEqual({ file: 'f.yaml', kind: 'merge-rules', field: 'rules[0]' });
  });
});

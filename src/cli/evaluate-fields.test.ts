import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { learnEvaluations } from '../learn/evaluations/index.js';
import { evaluateCommand } from './evaluate.js';
import { fieldsMismatch } from './evaluate-fields.js';

/** `tact evaluate --help` as a user reads it. */
function help(): string {
  let out = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  evaluateCommand(program);
  expect(() => program.parse(['evaluate', '--help'], { from: 'user' })).toThrow();
  return out;
}

/**
 * QA, 2026-12-06: `tact evaluate --help` named no field of the JSON line an evaluation prints. Each
 * of the five learn evaluations declares its fields (Evaluation.fields) and the help lists them;
 * the runs' answers are compared with the declarations where the evaluations run (evaluate.test.ts,
 * src/learn/evaluations/evaluations.test.ts), so a field added without its line fails there.
 */
describe('tact evaluate --help: the JSON fields', () => {
  it('lists every field each learn evaluation declares, with its meaning, under the evaluation', () => {
    const text = help();
    const flat = text.replace(/\s+/g, ' ');
    for (const e of learnEvaluations) {
      expect(e.fields, e.name).toBeDefined();
      const block = text.slice(text.indexOf(`\n  ${e.name}\n`));
      expect(block.length, e.name).toBeLessThan(text.length);
      for (const [k, meaning] of Object.entries(e.fields!)) {
        expect(block, `${e.name}.${k}`).toMatch(new RegExp(`\\n    ${k}( +\\S|\\n {6,}\\S)`));
        expect(flat, `${e.name}.${k}`).toContain(meaning.replace(/\s+/g, ' '));
      }
    }
    for (const l of text.slice(text.indexOf('JSON fields')).split('\n')) expect(l.length, l).toBeLessThanOrEqual(100);
  });

  it('finds a field the JSON has and the help lacks, one the help names and the JSON lacks, and an inner field not named', () => {
    const fields = { evaluation: '"x"', a: 'a figure', men: '`ctr` and `ci`' };
    expect(fieldsMismatch({ evaluation: 'x', a: 1, men: { ctr: 1, ci: [0, 1] } }, fields)).toEqual([]);
    expect(fieldsMismatch({ evaluation: 'x', a: 1, b: 2, men: { ctr: 1, ci: [0, 1], clicks: 3 } }, fields)).toEqual([
      'b: in the JSON, not in the help',
      'men.clicks: in the JSON, not named in the help of men',
    ]);
    expect(fieldsMismatch({ evaluation: 'x', men: { ctr: 1, ci: [0, 1] } }, fields)).toEqual(['a: in the help, not in the JSON']);
  });
});

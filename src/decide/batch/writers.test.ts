import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { csvRows, openDecisionWriter } from './writers.js';

describe('the decisions file of a batch run', () => {
  it("keeps an earlier interrupted run's .partial file beside the new run's, instead of overwriting it", async () => {
    const dir = testDir('tact-batch-writer-');
    const path = join(dir, 'out.jsonl');
    writeFileSync(`${path}.partial`, '{"decisionId":"from-the-interrupted-run"}\n');
    const w = openDecisionWriter(path, 'jsonl');
    await w.close(true);
    expect(existsSync(path)).toBe(true);
    const kept = readdirSync(dir).filter((f) => f.startsWith('out.jsonl.partial.'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0]), 'utf8')).toContain('from-the-interrupted-run');
  });
});

describe('CSV cells a spreadsheet would run as formulas (OWASP, "CSV Injection")', () => {
  const row = (choice: Record<string, unknown>, profileId = 'p1') => csvRows({ subject: 'profile:p1', profileId, decision: { decisionId: 'd1', placement: 'weekly-email', choices: [{ rank: 1, kind: 'action', ...choice }] } })[0];

  it('prefixes a single quote to a text cell that starts with = + - @, a tab or a carriage return', () => {
    expect(row({ action: '=HYPERLINK("http://evil.example","click")', variant: '+1', queue: '-2', explanation: '@SUM(A1)' }, '@p1')).toBe(
      `profile:p1,'@p1,d1,weekly-email,1,action,"'=HYPERLINK(""http://evil.example"",""click"")",'+1,'-2,,,,'@SUM(A1),,,,,,,`,
    );
    expect(row({ action: '\t=1+1' }).split(',')[6]).toBe(`"'\t=1+1"`);
    expect(row({ action: '\r=1+1' }).split(',')[6]).toBe(`"'\r=1+1"`);
  });

  it('quotes a cell holding a ; or a tab, which a spreadsheet set to those separators would split into a cell of its own', () => {
    expect(row({ action: 'shoes;=1+1' }).split(',')[6]).toBe('"shoes;=1+1"');
    expect(row({ action: 'shoes\t=1+1' }).split(',')[6]).toBe('"shoes\t=1+1"');
  });

  it('leaves numbers as they are: a negative score stays a number', () => {
    expect(row({ action: 'shoes-offer', score: -0.5, propensity: 1 })).toBe('profile:p1,p1,d1,weekly-email,1,action,shoes-offer,,,-0.5,1,,,,,,,,,');
  });
});

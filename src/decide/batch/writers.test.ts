import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { type BatchDecision, CSV_COLUMNS, csvRows, openDecisionWriter } from './writers.js';

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
      `profile:p1,'@p1,d1,weekly-email,1,action,"'=HYPERLINK(""http://evil.example"",""click"")",'+1,'-2,,,,'@SUM(A1),,,,,,,,,,,,,`,
    );
    expect(row({ action: '\t=1+1' }).split(',')[6]).toBe(`"'\t=1+1"`);
    expect(row({ action: '\r=1+1' }).split(',')[6]).toBe(`"'\r=1+1"`);
  });

  it('quotes a cell holding a ; or a tab, which a spreadsheet set to those separators would split into a cell of its own', () => {
    expect(row({ action: 'shoes;=1+1' }).split(',')[6]).toBe('"shoes;=1+1"');
    expect(row({ action: 'shoes\t=1+1' }).split(',')[6]).toBe('"shoes\t=1+1"');
  });

  it('leaves numbers as they are: a negative score stays a number', () => {
    expect(row({ action: 'shoes-offer', score: -0.5, propensity: 1 })).toBe('profile:p1,p1,d1,weekly-email,1,action,shoes-offer,,,-0.5,1,,,,,,,,,,,,,,,');
  });
});

describe('whether a decision was held, in CSV as in JSONL', () => {
  // As the decision view has them (src/decide/view.ts): `arm` beside `choices`, `held` on a choice,
  // `excludedByStage` under `explanation`.
  const line = (o: { arm?: string; held?: { action: string; reviewId: string }; excludedByStage?: Record<string, number> }): BatchDecision => ({
    subject: 'profile:p1', profileId: 'p1',
    decision: {
      decisionId: 'd1', placement: 'weekly-email', ...(o.arm ? { arm: o.arm } : {}),
      choices: [{ rank: 1, kind: 'action', action: 'newsletter', score: 0.1, propensity: 1, ...(o.held ? { held: o.held } : {}) }],
      ...(o.excludedByStage ? { explanation: { excludedByStage: o.excludedByStage } } : {}),
    },
  });
  /** The cells of the decision's first row under the held columns. */
  const cells = (d: BatchDecision) => {
    const row = csvRows(d)[0].split(',');
    return Object.fromEntries(['arm', 'heldAction', 'heldReviewId', 'contactPolicyExcluded'].map((c) => [c, row[CSV_COLUMNS.indexOf(c)]]));
  };

  it('has columns for the arm (holdout), the action held for review with its review, and the candidates the contact policy held back', () => {
    expect(CSV_COLUMNS.slice(-6, -2)).toEqual(['arm', 'heldAction', 'heldReviewId', 'contactPolicyExcluded']);
    expect(cells(line({ arm: 'treatment', held: { action: 'loan-offer', reviewId: 'rv_1' }, excludedByStage: { 'contact policy': 2, consent: 1 } })))
      .toEqual({ arm: 'treatment', heldAction: 'loan-offer', heldReviewId: 'rv_1', contactPolicyExcluded: '2' });
    expect(cells(line({ arm: 'holdout', excludedByStage: {} }))).toEqual({ arm: 'holdout', heldAction: '', heldReviewId: '', contactPolicyExcluded: '0' });
  });

  it('leaves them empty for a line of a server that did not send them', () => {
    expect(cells(line({}))).toEqual({ arm: '', heldAction: '', heldReviewId: '', contactPolicyExcluded: '' });
  });
});

describe('whom to send to, in CSV as in JSONL', () => {
  const line = (person: { userId?: string; email?: string }): BatchDecision => ({ subject: 'profile:p1', profileId: 'p1', ...person, decision: { decisionId: 'd1', placement: 'weekly-email', choices: [{ rank: 1, kind: 'action', action: 'newsletter' }] } });

  it('writes the person\'s userId and email in the last columns, after the older ones, empty when the profile has none', () => {
    expect(CSV_COLUMNS.slice(-2)).toEqual(['userId', 'email']);
    const cells = (d: BatchDecision) => csvRows(d)[0].split(',').slice(-2);
    expect(cells(line({ userId: 'ana', email: 'ana@example.com' }))).toEqual(['ana', 'ana@example.com']);
    expect(cells(line({ email: 'bo@example.com' }))).toEqual(['', 'bo@example.com']);
    expect(cells(line({}))).toEqual(['', '']);
  });
});

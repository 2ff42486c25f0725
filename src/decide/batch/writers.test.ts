import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { openDecisionWriter } from './writers.js';

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

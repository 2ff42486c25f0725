import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, harness, type Harness } from '../../../test/harness.js';
import { testDir } from '../../../test/tmp.js';
import { runImport } from './importer.js';

const track = (user: string, at?: number) => JSON.stringify({ type: 'track', userId: user, event: 'Viewed', ...(at === undefined ? {} : { timestamp: new Date(Date.UTC(2026, 0, 1) + at * 1000).toISOString() }) });

describe('tact import: resuming and re-running', () => {
  let h: Harness;
  let url: string;
  const dir = testDir('tact-import-resume-');
  beforeAll(async () => {
    h = await harness('sqlite');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => h.close());

  it('counts and reports each bad line once when resumed from progress saved mid-file', async () => {
    const lines = [track('r1', 1), track('r2', 2), track('r3', 3), '{bad', track('r5', 5), track('r6', 6), '[1]', track('r8', 8), track('r9', 9)];
    const file = join(dir, 'killed.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const before = await h.store.collect.countEvents();
    // What a kill right after the first saved progress leaves on disk: the progress and the report.
    let snapshot = false;
    await runImport({
      path: file, format: 'jsonl', url, writeKey: KEYS.write, batchSize: 2, concurrency: 8,
      onProgress: () => {
        if (snapshot) return;
        snapshot = true;
        copyFileSync(`${file}.tact-import.json`, join(dir, 'state.snap'));
        copyFileSync(`${file}.rejected.jsonl`, join(dir, 'report.snap'));
      },
    });
    copyFileSync(join(dir, 'state.snap'), `${file}.tact-import.json`);
    copyFileSync(join(dir, 'report.snap'), `${file}.rejected.jsonl`);
    const s = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write, batchSize: 2 });
    expect(s.complete).toBe(true);
    expect(s.rejected).toBe(2);
    expect(s.accepted).toBe(7);
    expect(readFileSync(s.reportPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l).line)).toEqual([4, 7]);
    expect((await h.store.collect.countEvents()) - before).toBe(7);
  });

  it('does not store lines without a messageId twice when the file changed between runs', async () => {
    const file = join(dir, 'growing.jsonl');
    writeFileSync(file, [track('g1'), track('g2', 2), track('g1')].join('\n') + '\n');
    const before = await h.store.collect.countEvents();
    expect((await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write })).accepted).toBe(3);
    appendFileSync(file, track('g3') + '\n');
    const again = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write });
    expect(again.complete).toBe(true);
    expect((await h.store.collect.countEvents()) - before).toBe(4);
  });

  it('refuses to start, before sending anything, when its progress cannot be saved', async () => {
    const file = join(dir, 'nowhere.jsonl');
    writeFileSync(file, track('n1', 1) + '\n');
    const before = await h.store.collect.countEvents();
    await expect(runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write, statePath: join(dir, 'no-such-dir', 'state.json') }))
      .rejects.toThrow(`Cannot save the import's progress in ${join(dir, 'no-such-dir', 'state.json')}`);
    expect(await h.store.collect.countEvents()).toBe(before);
  });

  it('says plainly when the report file cannot be written', async () => {
    const file = join(dir, 'noreport.jsonl');
    writeFileSync(file, track('n2', 1) + '\n');
    const report = join(dir, 'no-such-dir', 'bad.jsonl');
    await expect(runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write, reportPath: report })).rejects.toThrow(`Cannot write the report of bad lines to ${report}`);
  });
});

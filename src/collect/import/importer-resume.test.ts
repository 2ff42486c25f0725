import { appendFileSync, copyFileSync, existsSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, harness, type Harness } from '../../../test/harness.js';
import { testDir } from '../../../test/tmp.js';
import { parseColumnMap } from './column-map.js';
import { otherReading, runImport } from './importer.js';

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
    // (The report is written once a line is bad: there may be none yet.)
    let snapshot = false;
    let report: string | undefined;
    await runImport({
      path: file, format: 'jsonl', url, writeKey: KEYS.write, batchSize: 2, concurrency: 8,
      onProgress: () => {
        if (snapshot) return;
        snapshot = true;
        copyFileSync(`${file}.tact-import.json`, join(dir, 'state.snap'));
        report = existsSync(`${file}.rejected.jsonl`) ? readFileSync(`${file}.rejected.jsonl`, 'utf8') : undefined;
      },
    });
    copyFileSync(join(dir, 'state.snap'), `${file}.tact-import.json`);
    if (report === undefined) rmSync(`${file}.rejected.jsonl`);
    else writeFileSync(`${file}.rejected.jsonl`, report);
    const s = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write, batchSize: 2 });
    expect(s.complete).toBe(true);
    expect(s.rejected).toBe(2);
    expect(s.accepted).toBe(7);
    // Every line past the saved progress was stored by the run that was killed: already stored now.
    expect(s.duplicates).toBe(7 - JSON.parse(readFileSync(join(dir, 'state.snap'), 'utf8')).accepted);
    // Each bad line once, with its text (since 2026-12-05).
    expect(readFileSync(s.reportPath, 'utf8').trim().split('\n').map((l) => [JSON.parse(l).line, JSON.parse(l).text])).toEqual([[4, '{bad'], [7, '[1]']]);
    expect((await h.store.collect.countEvents()) - before).toBe(7);
  });

  it('refuses to resume into another server the progress made with one (it said every line stored, none sent)', async () => {
    const file = join(dir, 'two-servers.jsonl');
    writeFileSync(file, [track('s1', 1), track('s2', 2)].join('\n') + '\n');
    expect((await runImport({ path: file, format: 'jsonl', url: `${url}/`, writeKey: KEYS.write })).accepted).toBe(2);
    const other = await harness('sqlite');
    try {
      await other.app.listen({ port: 0, host: '127.0.0.1' });
      const otherUrl = `http://127.0.0.1:${(other.app.server.address() as AddressInfo).port}`;
      await expect(runImport({ path: file, format: 'jsonl', url: otherUrl, writeKey: KEYS.write })).rejects.toThrow(`finished at line 2 into ${url}, not ${otherUrl}: that progress says nothing of what ${otherUrl} holds. Pass --restart`);
      expect(await other.store.collect.countEvents()).toBe(0);
      const s = await runImport({ path: file, format: 'jsonl', url: otherUrl, writeKey: KEYS.write, restart: true });
      expect([s.accepted, s.duplicates, await other.store.collect.countEvents()]).toEqual([2, 0, 2]);
      // The same server named with a trailing slash is the same server: nothing to do.
      expect((await runImport({ path: file, format: 'jsonl', url: `${otherUrl}/`, writeKey: KEYS.write })).acceptedNow).toBe(0);
    } finally {
      await other.close();
    }
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

  it('counts lines the server had stored already apart from those it stores, after --restart', async () => {
    const file = join(dir, 'again.jsonl');
    writeFileSync(file, [track('ag1', 1), track('ag2', 2), '{bad', track('ag4', 4)].join('\n') + '\n');
    const first = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write });
    expect(first).toMatchObject({ accepted: 3, duplicates: 0, rejected: 1 });
    appendFileSync(file, track('ag5', 5) + '\n');
    const before = await h.store.collect.countEvents();
    const restarted = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write, restart: true, batchSize: 2 });
    expect(restarted).toMatchObject({ complete: true, accepted: 4, duplicates: 3, rejected: 1, acceptedNow: 4 });
    expect((await h.store.collect.countEvents()) - before).toBe(1);
  });

  it('does not store twice a line whose messageId is null (as a client sends an unset one)', async () => {
    const file = join(dir, 'null-id.jsonl');
    writeFileSync(file, JSON.stringify({ type: 'track', userId: 'nid', event: 'Viewed', messageId: null }) + '\n');
    const before = await h.store.collect.countEvents();
    await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write });
    const again = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write, restart: true });
    expect(again).toMatchObject({ accepted: 1, duplicates: 1 });
    expect((await h.store.collect.countEvents()) - before).toBe(1);
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
  it('goes on after the last line imported when the file was appended to, sending only the new lines', async () => {
    const file = join(dir, 'appended.jsonl');
    // The last line without its line break: appending starts a new line after it.
    writeFileSync(file, [track('a1', 1), '{bad', track('a2', 2)].join('\n'));
    const first = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write });
    expect(first).toMatchObject({ complete: true, lines: 3, accepted: 2, rejected: 1, acceptedNow: 2 });
    appendFileSync(file, '\n' + [track('a3', 3), '[2]', track('a4', 4)].join('\n') + '\n');
    const before = await h.store.collect.countEvents();
    const again = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write });
    expect(again).toMatchObject({ complete: true, resumedFrom: 3, lines: 6, accepted: 4, rejected: 2, acceptedNow: 2 });
    expect((await h.store.collect.countEvents()) - before).toBe(2);
    expect(readFileSync(again.reportPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l).line)).toEqual([2, 5]);
    // Interrupted while importing what was appended: not finished, whatever the run before was.
    appendFileSync(file, [track('a5', 5), track('a6', 6), track('a7', 7)].join('\n') + '\n');
    const cut = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write, batchSize: 1, concurrency: 1, stopAfterLines: 7 });
    expect(cut).toMatchObject({ complete: false, lines: 7 });
    const rest = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write });
    expect(rest).toMatchObject({ complete: true, resumedFrom: 7, lines: 9, accepted: 7 });
  });

  it('refuses to resume in a file whose imported lines changed, before sending anything, and starts over with --restart', async () => {
    const file = join(dir, 'replaced.jsonl');
    const lines = Array.from({ length: 9 }, (_, i) => track(`x${i}`, i));
    writeFileSync(file, lines.join('\n') + '\n');
    const first = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write, batchSize: 2, concurrency: 1, stopAfterLines: 4 });
    expect(first.complete).toBe(false);
    // No line was bad: no report.
    expect(existsSync(first.reportPath)).toBe(false);
    const stateText = readFileSync(`${file}.tact-import.json`, 'utf8');
    // Another export written over the same name: a line before the saved one differs.
    writeFileSync(file, [lines[0], track('y1', 1), ...lines.slice(2), track('x9', 9)].join('\n') + '\n');
    const before = await h.store.collect.countEvents();
    await expect(runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write })).rejects.toThrow(
      `${file} is not the file whose import stopped at line ${first.lines}: its first ${first.lines} lines changed since. Pass --restart to import it from the first line`);
    expect(await h.store.collect.countEvents()).toBe(before);
    expect(readFileSync(`${file}.tact-import.json`, 'utf8')).toBe(stateText);
    expect(existsSync(first.reportPath)).toBe(false);
    // Cut short before the saved line: refused too.
    writeFileSync(file, lines.slice(0, 2).join('\n') + '\n');
    await expect(runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write })).rejects.toThrow(`${file} is not the file whose import stopped at line ${first.lines}: it has 2 lines now, fewer than the ${first.lines} imported.`);
    truncateSync(file, 0);
    writeFileSync(file, [lines[0], track('y1', 1), ...lines.slice(2)].join('\n') + '\n');
    const restarted = await runImport({ path: file, format: 'jsonl', url, writeKey: KEYS.write, restart: true });
    expect(restarted).toMatchObject({ complete: true, resumedFrom: 0, lines: 9, accepted: 9 });
  });
  it('refuses to resume a CSV import with another column map, which would read the rest of the file otherwise', async () => {
    const file = join(dir, 'remapped.csv');
    writeFileSync(file, 'user,kind,amount\n' + Array.from({ length: 8 }, (_, i) => `rm${i},Order,${i}`).join('\n') + '\n');
    const map = parseColumnMap('userId=user,event=kind');
    const first = await runImport({ path: file, format: 'csv', map, url, writeKey: KEYS.write, batchSize: 2, concurrency: 1, stopAfterLines: 3 });
    expect(first.complete).toBe(false);
    await expect(runImport({ path: file, format: 'csv', map: parseColumnMap('userId=user,event=kind,properties.amount=amount:number'), url, writeKey: KEYS.write }))
      .rejects.toThrow(`An earlier import of ${file} read it with --format csv --map "userId=user,event=kind" --type track --rest properties and stopped at line ${first.lines}; `
        + 'this one gives another --map (--map "userId=user,event=kind,properties.amount=amount:number"). Pass the earlier options to resume it, or --restart to import the file from the first line with these.');
    const again = await runImport({ path: file, format: 'csv', map: parseColumnMap('userId=user, event=kind'), url, writeKey: KEYS.write });
    expect(again).toMatchObject({ complete: true, resumedFrom: first.lines, accepted: 8 });
  });
});

describe('otherReading', () => {
  it('says what the finished import used, which option differs, and to pass --restart', () => {
    const earlier = '--format csv --map "userId=user,event=kind" --type track --rest properties';
    expect(otherReading('/d/orders.csv', { line: 4, done: true, reading: earlier }, '--format csv --map "userId=nocol,event=kind" --type track --rest properties').message).toBe(
      `An earlier import of /d/orders.csv read it with ${earlier} and finished at line 4; this one gives another --map (--map "userId=nocol,event=kind"). `
        + 'Pass --restart to import the file again from the first line with these options, or the earlier options to see that it is done.',
    );
    expect(otherReading('/d/orders.csv', { line: 4, reading: earlier }, '--format csv --delimiter ";" --map "userId=user,event=kind" --type identify --rest properties').message)
      .toContain('and stopped at line 4; this one gives other --delimiter and --type (--delimiter ";" --type identify). Pass the earlier options to resume it, or --restart');
  });
});

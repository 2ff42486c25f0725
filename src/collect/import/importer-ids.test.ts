import { createHash } from 'node:crypto';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, harness, type Harness } from '../../../test/harness.js';
import { testDir } from '../../../test/tmp.js';
import { runImport } from './importer.js';
import { lineId } from './line-id.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
const line = (user: string, event = 'Viewed', time?: number) => JSON.stringify({ type: 'track', userId: user, event, ...(time === undefined ? {} : { timestamp: at(time) }) });
const HEARTBEAT = line('hb', 'Heartbeat');

describe('tact import: the messageId of a line without one', () => {
  let h: Harness;
  let url: string;
  const dir = testDir('tact-import-ids-');
  const file = (name: string, lines: string[]) => {
    const f = join(dir, name);
    writeFileSync(f, lines.join('\n') + '\n');
    return f;
  };
  const stdin = (lines: string[]) => runImport({ path: '-', input: Readable.from([Buffer.from(lines.join('\n') + '\n')]), format: 'jsonl', url, writeKey: KEYS.write, reportPath: join(dir, 'stdin.rejected.jsonl') });
  beforeAll(async () => {
    h = await harness('sqlite');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => h.close());

  it('tells apart the same line without a time in inputs whose earlier lines differ: a heartbeat each day is an event each day', async () => {
    // Until 2026-12-05 the heartbeat of tuesday.jsonl (and of stdin) was "already stored": it had
    // the id of monday's, made of its content and line number alone.
    const before = await h.store.collect.countEvents();
    const monday = await runImport({ path: file('monday.jsonl', [line('mo', 'Opened'), HEARTBEAT]), format: 'jsonl', url, writeKey: KEYS.write });
    const tuesday = await runImport({ path: file('tuesday.jsonl', [line('tu', 'Opened'), HEARTBEAT]), format: 'jsonl', url, writeKey: KEYS.write });
    const piped = await stdin([line('we', 'Opened'), HEARTBEAT]);
    expect([monday, tuesday, piped].map((s) => [s.accepted, s.duplicates])).toEqual([[2, 0], [2, 0], [2, 0]]);
    expect((await h.store.collect.countEvents()) - before).toBe(6);
  });

  it('still stores once the same input sent again: moved, restarted, resumed, appended to, or piped', async () => {
    const beat = line('s-hb', 'Heartbeat');
    const lines = [line('s1'), beat, beat, line('s2'), beat, line('s3', 'Viewed', 3)];
    const f = file('same.jsonl', lines);
    const before = await h.store.collect.countEvents();
    // Interrupted after a few lines (others sent, not yet answered), then resumed: every line once.
    const cut = await runImport({ path: f, format: 'jsonl', url, writeKey: KEYS.write, batchSize: 1, concurrency: 4, stopAfterLines: 2 });
    expect(cut.complete).toBe(false);
    const resumed = await runImport({ path: f, format: 'jsonl', url, writeKey: KEYS.write, batchSize: 1 });
    expect(resumed).toMatchObject({ complete: true, accepted: 6 });
    // Two equal lines of one file stay two events.
    expect((await h.store.collect.countEvents()) - before).toBe(6);
    const restarted = await runImport({ path: f, format: 'jsonl', url, writeKey: KEYS.write, restart: true });
    expect(restarted).toMatchObject({ accepted: 6, duplicates: 6 });
    const moved = join(dir, 'moved.jsonl');
    copyFileSync(f, moved);
    expect(await runImport({ path: moved, format: 'jsonl', url, writeKey: KEYS.write })).toMatchObject({ accepted: 6, duplicates: 6 });
    writeFileSync(moved, [...lines, beat].join('\n') + '\n');
    expect(await runImport({ path: moved, format: 'jsonl', url, writeKey: KEYS.write })).toMatchObject({ accepted: 7, acceptedNow: 1, duplicates: 6 });
    expect(await stdin(lines)).toMatchObject({ accepted: 6, duplicates: 6 });
    expect((await h.store.collect.countEvents()) - before).toBe(7);
  });

  it('keeps the id a line with a time had before 2026-12-05 (its content and line number): imports made with it still dedupe', async () => {
    const before = await h.store.collect.countEvents();
    const timed = line('t1', 'Viewed', 7);
    await runImport({ path: file('timed-a.jsonl', [line('ta'), timed]), format: 'jsonl', url, writeKey: KEYS.write });
    // Another file whose earlier line differs: the line with a time is the same event.
    expect(await runImport({ path: file('timed-b.jsonl', [line('tb'), timed]), format: 'jsonl', url, writeKey: KEYS.write })).toMatchObject({ accepted: 2, duplicates: 1 });
    expect((await h.store.collect.countEvents()) - before).toBe(3);
    const m = JSON.parse(timed) as Record<string, unknown>;
    const old = `import-${createHash('sha256').update(JSON.stringify(m)).digest('base64url').slice(0, 22)}-2`;
    expect(lineId(m, 2, () => 'any')).toBe(old);
    expect(lineId({ ...m, timestamp: undefined, originalTimestamp: at(7) }, 2, () => 'any')).toBe(lineId({ ...m, timestamp: undefined, originalTimestamp: at(7) }, 2, () => 'other'));
    // Without a time, the digest of the lines before it is part of the id.
    const untimed = JSON.parse(HEARTBEAT) as Record<string, unknown>;
    expect(lineId(untimed, 2, () => 'a')).not.toBe(lineId(untimed, 2, () => 'b'));
    expect(lineId(untimed, 2, () => 'a')).toMatch(/^import-[\w-]{22}-2$/);
  });
});

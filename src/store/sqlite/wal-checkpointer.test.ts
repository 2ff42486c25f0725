import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { WalCheckpointer } from './wal-checkpointer.js';
import { testDir } from '../../../test/tmp.js';

describe('the WAL copier', () => {
  it('copies committed frames into the database file from its own thread, traces slow copies when asked, and closes', async () => {
    const dir = testDir('tact-wal-');
    const path = join(dir, 'tact.db');
    const db = openDatabase(path);
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (x BLOB)');
    const trace = join(dir, 'copies.log');
    process.env.TACT_TRACE_CHECKPOINT = trace;
    const copier = new WalCheckpointer(path, 10, 1_000_000);
    delete process.env.TACT_TRACE_CHECKPOINT;
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 200; i++) insert.run(Buffer.alloc(4096, i));
    // The copier reports the WAL's frames still to copy; it falls to 0 once it has caught up. Its
    // thread may not have run yet on a loaded machine (the backlog reads 0 before its first pass),
    // so wait for the copy itself — the rows in the database file — with the backlog at 0.
    const copied = () => copier.lastBacklog === 0 && statSync(path).size > 200 * 4096;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !copied()) await new Promise((r) => setTimeout(r, 20));
    expect(copier.lastBacklog).toBe(0);
    // The 200 rows of 4 KB are in the database file itself now, copied by the copier's thread.
    expect(statSync(path).size).toBeGreaterThan(200 * 4096);
    await copier.close();
    // Slow copies (over 50 ms) are appended to the trace file; a fast machine may have none.
    if (existsSync(trace)) expect(readFileSync(trace, 'utf8')).toMatch(/^checkpoint .* passive \d+ ms, restart \d+ ms, log \d+ frames\n/);
    db.close();
  });
});

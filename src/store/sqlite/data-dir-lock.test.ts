import { readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDir } from '../../../test/tmp.js';
import { openSqliteStore } from './sqlite-store.js';

describe('the serving store holds its data directory (one server on an embedded store)', () => {
  it('refuses a second serving open of the same file, naming the folder and the holder, until the first closes', async () => {
    const dir = testDir('tact-lock-');
    const path = join(dir, 'tact.db');
    const first = await openSqliteStore({ path, owner: { port: 18801 } });
    const second = openSqliteStore({ path, owner: { port: 18802 } });
    const escaped = dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expect(second).rejects.toThrow(new RegExp(`^The data directory ${escaped} is in use by another Tact server \\(process ${process.pid} on ${hostname()}, port 18801, since \\d{4}-\\d\\d-\\d\\dT[^)]+\\)`));
    await expect(second).rejects.toMatchObject({ code: 'TACT_DATA_DIR_IN_USE', dir, holder: { pid: process.pid, port: 18801 } });
    // The refused open left the holder's lock in place: a third is refused as well.
    await expect(openSqliteStore({ path, owner: {} })).rejects.toMatchObject({ code: 'TACT_DATA_DIR_IN_USE' });
    await first.close();
    const again = await openSqliteStore({ path, owner: { port: 18802 } });
    await again.close();
  });

  it('still refuses when the holder left no note of who it is', async () => {
    const dir = testDir('tact-lock-');
    const first = await openSqliteStore({ path: join(dir, 'tact.db'), owner: {} });
    rmSync(join(dir, 'tact.lock.json'));
    await expect(openSqliteStore({ path: join(dir, 'tact.db'), owner: {} })).rejects.toThrow(`The data directory ${dir} is in use by another Tact server (its holder did not say which one)`);
    await first.close();
  });

  it('takes no lock on an in-memory database (nothing else can open it)', async () => {
    const before = readdirSync(process.cwd());
    const a = await openSqliteStore({ path: ':memory:', owner: {} });
    const b = await openSqliteStore({ path: ':memory:', owner: {} });
    await a.close();
    await b.close();
    expect(readdirSync(process.cwd())).toEqual(before);
  });
});

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fsyncFloor, pacedFsyncFloor } from './disk-floor.js';

describe('the disk floor', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'disk-floor-'));
    dirs.push(d);
    return d;
  };

  it('times each flushed append and leaves no file behind', () => {
    const d = dir();
    const times = fsyncFloor(d, 20);
    expect(times).toHaveLength(20);
    expect(times.every((t) => t > 0)).toBe(true);
    expect(readdirSync(d)).toEqual([]);
  });

  it('at a rate, spaces the appends by at least the interval: the time between them is not theirs', async () => {
    const d = dir();
    const started = performance.now();
    const times = await pacedFsyncFloor(d, 20, 5);
    const elapsed = performance.now() - started;
    expect(times).toHaveLength(20);
    // 20 syncs 5 ms apart take at least 100 ms, and the syncs alone are timed.
    expect(elapsed).toBeGreaterThanOrEqual(99);
    expect(times.reduce((a, b) => a + b, 0)).toBeLessThan(elapsed - 90);
    expect(existsSync(join(d, 'fsync-floor.tmp'))).toBe(false);
  });
});

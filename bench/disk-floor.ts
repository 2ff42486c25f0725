import { closeSync, fdatasyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The disk's own floor for a durable answer: `n` appends of 4 KB (about what one group commit
 * of the decision log adds to the WAL), each followed by fdatasync, one at a time, in `dir`.
 * Every durably acknowledged request waits for at least one of these, so an HTTP p99 under this
 * p99 is out of reach on this disk whatever the code does. Returns each sync's time, ms.
 *
 * @example
 * const times = fsyncFloor(server.dataDir, 500);
 */
export function fsyncFloor(dir: string, n: number): number[] {
  const file = floorFile(dir);
  try {
    for (let i = 0; i < n; i++) file.sync();
  } finally {
    file.close();
  }
  return file.times;
}

/**
 * The same floor at a request rate: the appends `everyMs` apart, the process sleeping between, as
 * a server answering 1,000 requests a second does between its commits. On this virtual machine an
 * fdatasync after a pause costs about ten times one right after another (2026-12-05: 4-KB appends
 * 1 ms apart, p50 0.5–0.85 ms and p99 1.2–1.6 ms, against 0.04–0.08 and 0.07–0.19 ms back to back;
 * about half of the difference goes when a thread spins instead of sleeping between: the cores'
 * idle states), so at a rate it is this one that bounds a durable answer from below.
 *
 * @example
 * const times = await pacedFsyncFloor(server.dataDir, 500, 1);
 */
export async function pacedFsyncFloor(dir: string, n: number, everyMs: number): Promise<number[]> {
  const file = floorFile(dir);
  try {
    for (let i = 0; i < n; i++) {
      file.sync();
      await sleep(everyMs);
    }
  } finally {
    file.close();
  }
  return file.times;
}

/** A scratch file in `dir` to append 4-KB blocks to and flush, timing each; deleted on close. */
function floorFile(dir: string): { sync: () => void; close: () => void; times: number[] } {
  const path = join(dir, 'fsync-floor.tmp');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 7);
  const times: number[] = [];
  return {
    times,
    sync: () => {
      const t = performance.now();
      writeSync(fd, block);
      fdatasyncSync(fd);
      times.push(performance.now() - t);
    },
    close: () => {
      closeSync(fd);
      unlinkSync(path);
    },
  };
}

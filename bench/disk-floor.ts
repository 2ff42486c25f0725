import { closeSync, fdatasyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

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
  const path = join(dir, 'fsync-floor.tmp');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 7);
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      writeSync(fd, block);
      fdatasyncSync(fd);
      times.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    unlinkSync(path);
  }
  return times;
}

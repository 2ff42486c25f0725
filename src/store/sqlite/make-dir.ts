import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` that always ends: makes `dir` and the folders above it that are missing. Node's
 * `mkdirSync(dir, { recursive: true })` spins at 100% CPU for ever where a parent exists but a
 * child cannot be made in it and the kernel answers ENOENT, not EACCES — a path under /proc (on
 * Node 20–24; nodejs/node's recursive walk goes back to the parent on ENOENT and forward on
 * EEXIST). A TACT_DATA_DIR there hung `tact serve` and `tact migrate` without a word (2026-12-05).
 * Here each folder is made once, from the top down, and the first failure is thrown as it is.
 *
 * @example
 * makeDir('./data'); // like mkdir -p
 */
export function makeDir(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !isDir(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      // Made meanwhile by another process: as good as made here.
      if ((err as { code?: string }).code === 'EEXIST' && isDir(d)) continue;
      throw err;
    }
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

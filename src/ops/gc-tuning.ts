import v8 from 'node:v8';

/**
 * The server's garbage-collector setting, applied when `tact serve` starts.
 *
 * The embedded store keeps every profile's state in memory (a few hundred MB of old generation),
 * and at 1,000 decisions/s a few MB a second of the decisions' state (caches, monitor windows,
 * contact ledgers) is promoted to it. With V8's own heap-growing factor — adaptive, ≈ 1.2 after a
 * collection on this heap — a full collection followed about every 10 s, and each held the event
 * loop for 0.1–0.3 s: the HTTP p99 was set by them (docs/benchmarks.md, decide).
 *
 * `--heap-growing-percent=100` lets the old generation double after a full collection before the
 * next one starts, so they come several times less often, for a heap up to twice its live size.
 * V8 reads the flag each time it sets the next limit, so setting it at start-up is enough. A value
 * the operator gave Node (NODE_OPTIONS or the command line) is left as given; TACT_GC=default keeps
 * V8's own factor.
 *
 * @example
 * tuneGarbageCollector(process.env, process.execArgv); // ['--heap-growing-percent=100']
 */
export function tuneGarbageCollector(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): string[] {
  if (env.TACT_GC === 'default') return [];
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].join(' ');
  if (/--heap[-_]growing[-_]percent/.test(given)) return [];
  const flag = '--heap-growing-percent=100';
  v8.setFlagsFromString(flag);
  return [flag];
}

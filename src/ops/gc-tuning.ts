import v8 from 'node:v8';

/**
 * The server's garbage-collector settings, applied when `tact serve` starts.
 *
 * The embedded store keeps every profile's state in memory (a few hundred MB of old generation),
 * and at 1,000 decisions/s a few MB a second of the decisions' state (caches, monitor windows,
 * contact ledgers) is promoted to it. With V8's defaults a full collection followed every 10–30 s,
 * and each held the event loop for 0.1–0.3 s: the HTTP p99 was set by them (docs/benchmarks.md,
 * decide). Two settings:
 *
 * - `--heap-growing-percent=100`: after a full collection the old generation may double before the
 *   next one starts (V8's adaptive factor was ≈ 1.2 on this heap), so full collections come several
 *   times less often, for a heap up to twice its live size.
 * - `--no-allocation-site-pretenuring`: V8 allocates objects straight into the old generation from
 *   allocation sites whose objects mostly survived a young collection. During a bulk load nearly
 *   everything survives, sites get marked, and from then on their objects — per-request ones too —
 *   skip the young generation and become old garbage. Without it the heap after the bulk load's
 *   collection was 184 MB instead of 328–375 MB, and each later full collection marked for 20–50 ms
 *   instead of 57–141 ms.
 *
 * V8 reads both each time it uses them, so setting them at start-up is enough. A flag the operator
 * gave Node (NODE_OPTIONS or the command line) is left as given; TACT_GC=default keeps V8's own
 * settings.
 *
 * @example
 * tuneGarbageCollector(process.env, process.execArgv); // ['--heap-growing-percent=100', '--no-allocation-site-pretenuring']
 */
export function tuneGarbageCollector(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): string[] {
  if (env.TACT_GC === 'default') return [];
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].join(' ');
  const applied: string[] = [];
  if (!/--heap[-_]growing[-_]percent/.test(given)) applied.push('--heap-growing-percent=100');
  if (!/--(no-)?allocation[-_]site[-_]pretenuring/.test(given)) applied.push('--no-allocation-site-pretenuring');
  for (const flag of applied) v8.setFlagsFromString(flag);
  return applied;
}

/**
 * The garbage-collector settings the server runs with, for its start-up log: the flags Node was
 * given that concern the heap (`npm start` gives `--max-semi-space-size=64 --no-memory-reducer`)
 * and those Tact applied.
 *
 * @example
 * gcSettings(['--heap-growing-percent=100'], ['--no-memory-reducer']); // '--no-memory-reducer --heap-growing-percent=100'
 */
export function gcSettings(applied: readonly string[], execArgv: readonly string[] = process.execArgv): string {
  const given = execArgv.filter((a) => /semi[-_]space|memory[-_]reducer|heap[-_]growing|pretenuring|old[-_]space|[-_]gc\b/.test(a));
  const all = [...given, ...applied];
  return all.length ? all.join(' ') : 'V8 defaults';
}

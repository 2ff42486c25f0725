/**
 * A first SIGINT or SIGTERM aborts `signal` (saying on stderr what happens now: `stopping()`);
 * a second one exits at once. `done()` takes the handlers off again. The exit code of a stop is
 * 128 + the signal's number, as a shell reports a process the signal killed.
 *
 * @example
 * const stop = stopOnSignal(() => 'finishing the line in progress'); await work(stop.signal); stop.done();
 */
export function stopOnSignal(stopping: () => string): { signal: AbortSignal; readonly by: NodeJS.Signals | undefined; readonly exitCode: number; done(): void } {
  const controller = new AbortController();
  let by: NodeJS.Signals | undefined;
  const code = (sig: NodeJS.Signals) => (sig === 'SIGTERM' ? 143 : 130);
  const on = (sig: NodeJS.Signals) => {
    if (by) process.exit(code(sig));
    by = sig;
    // In a pipeline (`… | tee log`, `2>&1 | tee log`) Ctrl-C also ends the reader of stdout (and
    // stderr): what is written there next fails with EPIPE, which must not turn a clean stop into a
    // crash (exit 1). Kept after `done()`: the error follows the summary written once the run is over.
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
      });
    }
    process.stderr.write(`\n${sig}: stopping — ${stopping()}. ${sig === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again quits at once.\n`);
    controller.abort(sig);
  };
  // Each its own handler: the signal's name is not an argument to rely on (process.emit('SIGINT') passes none).
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    get by() {
      return by;
    },
    get exitCode() {
      return by ? code(by) : 0;
    },
    done() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

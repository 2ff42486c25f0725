import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { closestWord } from '../errors/edit-distance.js';
import type { Evaluation } from '../evaluate/evaluation.js';
import { evaluations as registered } from '../evaluate/registry.js';
import { glyphsFor } from './chart.js';
import { fieldsHelp } from './evaluate-fields.js';

/**
 * The datasets/ folder of this package (found from this file: works from src/ and dist/src/).
 * Only the package's own: a datasets/ folder above it or in the working directory is never read.
 */
export function datasetsDir(from: string = import.meta.url): string {
  for (let dir = dirname(fileURLToPath(from)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const data = join(dir, 'datasets');
      if (existsSync(data)) return data;
      throw new Error(`The evaluations read their data sets from ${data}, which is missing: run them from a checkout of the repository.`);
    }
    if (dirname(dir) === dir) throw new Error('The evaluations found no package.json above the CLI, so no datasets/ folder to read.');
  }
}

/**
 * `tact evaluate <name> [--json]`: a fixed protocol on real data. Without --json everything goes to
 * stdout; with it stdout holds only JSON — one object per line, one per evaluation (so `all` writes
 * JSON Lines, and a single evaluation's object is the last and only line) — and the text (figures,
 * timings) goes to stderr. With --json and no name, the list of evaluations is one JSON object.
 * `evaluations` is the registry's (the tests give stand-ins).
 */
export function evaluateCommand(program: Command, evaluations: Evaluation[] = registered): void {
  program
    .command('evaluate')
    .description('Run an evaluation on the real data in datasets/ and print its figures with 95% intervals.')
    .argument('[name]', `one of: ${evaluations.map((e) => e.name).join(', ')}, or "all" (default: list them)`)
    .option('--json', 'stdout holds only the figures, one JSON object per line (one per evaluation with "all"; the list of evaluations without a name); the text goes to stderr')
    .option('--quick', 'a smaller run (for smoke tests; the figures are not the published ones)')
    .addHelpText('after', `\nEvaluations:\n${evaluations.map((e) => `  ${e.name.padEnd(12)} ${e.description}`).join('\n')}\n${fieldsHelp(evaluations)}\n\nExamples:\n  tact evaluate hillstrom\n  tact evaluate all --json > figures.jsonl   (one line per evaluation; the text on the terminal)`)
    .action(async (name: string | undefined, opts: { json?: boolean; quick?: boolean }) => {
      if (!name) {
        if (opts.json) process.stdout.write(JSON.stringify({ evaluations: evaluations.map((e) => ({ name: e.name, description: e.description })) }) + '\n');
        else process.stdout.write(evaluations.map((e) => `${e.name.padEnd(12)} ${e.description}`).join('\n') + '\n');
        return;
      }
      const chosen = name === 'all' ? evaluations : evaluations.filter((e) => e.name === name);
      if (!chosen.length) {
        const near = closestWord(name, evaluations.map((e) => e.name));
        throw new Error(`There is no evaluation "${name}"; the evaluations are ${evaluations.map((e) => e.name).join(', ')}.${near ? ` Did you mean ${near}?` : ''}`);
      }
      // With --json, stdout is for the JSON lines only: the text a person reads goes to stderr.
      const text = opts.json ? process.stderr : process.stdout;
      const glyphs = glyphsFor(process.env);
      for (const e of chosen) {
        // The cursor stays shown and line wrapping on (the bar is cut at the terminal's width
        // instead): an evaluation runs in one synchronous loop, so Ctrl-C ends the process before
        // any handler could give them back — a terminal was left without its cursor.
        const bar = process.stderr.isTTY ? new SingleBar({ format: `${e.name} {bar} {percentage}% {label}`, hideCursor: false, linewrap: true }, Presets.shades_classic) : undefined;
        let started = false;
        const t = performance.now();
        const print = (line: string) => {
          bar?.stop();
          started = false;
          text.write(line + '\n');
        };
        const r = await e.run({
          datasetsDir: datasetsDir(),
          quick: opts.quick,
          log: print,
          // The charts are for people reading the text; --json output stays as it always was.
          chart: opts.json ? undefined : (build) => print(build(glyphs).join('\n')),
          progress: (done, total, label) => {
            if (!bar) return;
            if (!started) {
              bar.start(total, done, { label: label ?? '' });
              started = true;
            }
            if (bar.getTotal() !== total) bar.setTotal(total);
            bar.update(done, { label: label ?? '' });
          },
        }).finally(() => bar?.stop()); // (an error then goes on a line of its own)
        text.write(`(${e.name}: ${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
        // Each evaluation's line as soon as it is done: `all` writes JSON Lines.
        if (opts.json) process.stdout.write(JSON.stringify(r) + '\n');
      }
    });
}

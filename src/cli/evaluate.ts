import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { closestWord } from '../errors/edit-distance.js';
import { evaluations } from '../evaluate/registry.js';
import { glyphsFor } from './chart.js';

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

/** `tact evaluate <name> [--json]`: a fixed protocol on real data; the last line is one JSON object. */
export function evaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description('Run an evaluation on the real data in datasets/ and print its figures with 95% intervals.')
    .argument('[name]', `one of: ${evaluations.map((e) => e.name).join(', ')}, or "all" (default: list them)`)
    .option('--json', 'print the figures as one JSON object on the last line')
    .option('--quick', 'a smaller run (for smoke tests; the figures are not the published ones)')
    .addHelpText('after', `\nEvaluations:\n${evaluations.map((e) => `  ${e.name.padEnd(12)} ${e.description}`).join('\n')}\n\nExamples:\n  tact evaluate hillstrom\n  tact evaluate all --json > figures.jsonl`)
    .action(async (name: string | undefined, opts: { json?: boolean; quick?: boolean }) => {
      if (!name) {
        process.stdout.write(evaluations.map((e) => `${e.name.padEnd(12)} ${e.description}`).join('\n') + '\n');
        return;
      }
      const chosen = name === 'all' ? evaluations : evaluations.filter((e) => e.name === name);
      if (!chosen.length) {
        const near = closestWord(name, evaluations.map((e) => e.name));
        throw new Error(`There is no evaluation "${name}"; the evaluations are ${evaluations.map((e) => e.name).join(', ')}.${near ? ` Did you mean ${near}?` : ''}`);
      }
      const results: Record<string, unknown>[] = [];
      const glyphs = glyphsFor(process.env);
      for (const e of chosen) {
        // The cursor stays shown and line wrapping on (the bar is cut at the terminal's width
        // instead): an evaluation runs in one synchronous loop, so Ctrl-C ends the process before
        // any handler could give them back — a terminal was left without its cursor.
        const bar = process.stderr.isTTY ? new SingleBar({ format: `${e.name} {bar} {percentage}% {label}`, hideCursor: false, linewrap: true }, Presets.shades_classic) : undefined;
        let started = false;
        const t = performance.now();
        const print = (text: string) => {
          bar?.stop();
          started = false;
          process.stdout.write(text + '\n');
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
            bar.update(done, { label: label ?? '' });
          },
        }).finally(() => bar?.stop()); // (an error then goes on a line of its own)
        process.stdout.write(`(${e.name}: ${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
        results.push(r);
      }
      if (opts.json) process.stdout.write(JSON.stringify(results.length === 1 ? results[0] : { evaluation: 'all', results }) + '\n');
    });
}

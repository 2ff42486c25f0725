import { Command, type Option } from 'commander';
import { decideBatchCommand } from '../decide/batch/command.js';
import { evaluateCommand } from './evaluate.js';
import { evaluatePolicyCommand, experimentCommand, holdoutCommand } from './measure.js';
import { calibrationCommand, estimatesCommand, trainCommand } from '../models/cli.js';
import { importCommand } from './import.js';
import { keysCommand, migrateCommand } from './keys.js';
import { serveCommand } from './serve.js';
import { VERSION } from '../server/app.js';

/**
 * The `tact` command line with every command registered (parsing is the caller's).
 *
 * @example
 * await tactProgram().parseAsync(process.argv);
 */
export function tactProgram(): Command {
  const program = new Command();
  program
    .name('tact')
    .description('Tact — personalization decisioning: collect, remember, decide, explain, learn.')
    .version(VERSION)
    .showHelpAfterError()
    .addHelpText('after', `
Exit status:
  0  done
  1  an error, or a wrong command line (the message says which)
  2  done in part: import rejected some lines; decide-batch had undeliverable decisions, errors,
     or was interrupted
  130  stopped by Ctrl-C (import and decide-batch: run the same command again; see their --help)
  143  stopped by SIGTERM, likewise`);
  serveCommand(program);
  importCommand(program);
  keysCommand(program);
  migrateCommand(program);
  evaluateCommand(program);
  experimentCommand(program);
  holdoutCommand(program);
  evaluatePolicyCommand(program);
  trainCommand(program);
  estimatesCommand(program);
  calibrationCommand(program);
  decideBatchCommand(program);
  unknownOptionsFirst(program);
  return program;
}

/**
 * Commander checks required options before it looks for unknown ones, so `--placment home` was
 * answered "required option '--placement <id>' not specified", never naming the flag mistyped.
 * Required options are checked here instead, once the command line is otherwise known good (a
 * `preAction` hook), with Commander's own words.
 */
function unknownOptionsFirst(program: Command): void {
  const required = new WeakSet<Option>();
  const walk = (c: Command) => {
    for (const o of c.options) {
      if (!o.mandatory) continue;
      o.mandatory = false;
      required.add(o);
    }
    c.commands.forEach(walk);
  };
  walk(program);
  program.hook('preAction', (_program, cmd) => {
    const missing = cmd.options.find((o) => required.has(o) && cmd.getOptionValue(o.attributeName()) === undefined);
    if (missing) cmd.error(`error: required option '${missing.flags}' not specified`, { code: 'commander.missingMandatoryOptionValue' });
  });
}

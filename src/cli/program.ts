import { Command } from 'commander';
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
     or was interrupted`);
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
  return program;
}

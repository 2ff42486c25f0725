#!/usr/bin/env node
import { Command } from 'commander';
import { decideBatchCommand } from '../decide/batch/command.js';
import { evaluateCommand } from './evaluate.js';
import { evaluatePolicyCommand, experimentCommand, holdoutCommand } from './measure.js';
import { calibrationCommand, estimatesCommand, trainCommand } from '../models/cli.js';
import { importCommand } from './import.js';
import { keysCommand, migrateCommand } from './keys.js';
import { serveCommand } from './serve.js';
import { VERSION } from '../server/app.js';
import { errorText } from './error-text.js';

const program = new Command();
program
  .name('tact')
  .description('Tact — personalization decisioning: collect, remember, decide, explain, learn.')
  .version(VERSION)
  .showHelpAfterError();
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

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`tact: ${errorText(err)}\n`);
  process.exit(1);
});

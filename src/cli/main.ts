#!/usr/bin/env node
import { serverOf, tactProgram } from './program.js';
import { errorText } from './error-text.js';

const program = tactProgram();
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`tact: ${errorText(err, serverOf(program))}\n`);
  process.exit(1);
});

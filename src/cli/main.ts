#!/usr/bin/env node
import { tactProgram } from './program.js';
import { errorText } from './error-text.js';

tactProgram().parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`tact: ${errorText(err)}\n`);
  process.exit(1);
});

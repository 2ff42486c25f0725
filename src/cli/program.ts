import { Command, type Option } from 'commander';
import { decideBatchCommand } from '../decide/batch/command.js';
import { evaluateCommand } from './evaluate.js';
import { evaluatePolicyCommand, experimentCommand, holdoutCommand } from './measure.js';
import { calibrationCommand, estimatesCommand, trainCommand } from '../models/cli.js';
import { modelsCommand } from '../models/models-cli.js';
import { importCommand } from './import.js';
import { keysCommand, migrateCommand } from './keys.js';
import { configCommand } from '../config/push-cli.js';
import { serveCommand } from './serve.js';
import { VERSION } from '../server/version.js';
import { closestWord } from '../errors/edit-distance.js';
import type { ServerOfCommand } from './error-text.js';
import { fetchablePort } from './options.js';
import { andList } from '../errors/words.js';

/**
 * What a command's exit status other than 0 and 1 means, for the `Exit status` of `tact --help`:
 * `partial`, what exit 2 says it did (after the command's name); `stops`, whether Ctrl-C and
 * SIGTERM stop it cleanly (exit 130 and 143).
 */
interface ExitMeanings {
  partial?: string;
  stops?: boolean;
}

/**
 * Every command, in the order `tact --help` lists them, with what its exit status means: the
 * Exit status text names the registered commands from this one list (it listed import and
 * decide-batch by hand and left train out); program.test.ts fails when a command whose own --help
 * says it exits 2 is not named there.
 */
const COMMANDS: [register: (program: Command) => void, exits?: ExitMeanings][] = [
  [serveCommand],
  [importCommand, { partial: 'rejected some lines', stops: true }],
  [keysCommand],
  [migrateCommand],
  [configCommand],
  [evaluateCommand],
  [experimentCommand],
  [holdoutCommand],
  [evaluatePolicyCommand],
  [trainCommand, { partial: 'could not train a model (the others were trained)', stops: true }],
  [modelsCommand],
  [estimatesCommand],
  [calibrationCommand],
  [decideBatchCommand, { partial: 'had undeliverable decisions, errors, or was interrupted', stops: true }],
];

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
    .showHelpAfterError();
  const meanings = new Map<Command, ExitMeanings>();
  for (const [register, exits] of COMMANDS) {
    register(program);
    if (exits) meanings.set(program.commands[program.commands.length - 1], exits);
  }
  helpCommand(program);
  program.addHelpText('after', () => exitStatusText(program.commands.flatMap((c) => (meanings.has(c) ? [{ name: c.name(), ...meanings.get(c) }] : []))));
  unknownOptionsFirst(program);
  oneLineErrors(program);
  program.hook('preAction', (_program, cmd) => {
    if (!cmd.options.some((o) => o.long === '--url')) return;
    const server = { url: String(cmd.getOptionValue('url')), from: urlFrom(cmd.getOptionValueSource('url'), process.env) };
    servers.set(program, server);
    fetchablePort(server.from === '--url' || server.from === 'TACT_URL' ? server.from : 'default URL', server.url);
  });
  return program;
}

const servers = new WeakMap<Command, ServerOfCommand>();

/**
 * The server the command `program` ran talks to (its --url), for `errorText` to name when nothing
 * answers there; undefined for a command that talks to none.
 *
 * @example
 * errorText(err, serverOf(program)); // 'Nothing answers at http://127.0.0.1:8787 (--url; connection refused at …'
 */
export function serverOf(program: Command): ServerOfCommand | undefined {
  return servers.get(program);
}

/** Where a client command's URL came from, as said when nothing answers there. */
function urlFrom(source: string | undefined, env: NodeJS.ProcessEnv): string {
  if (source === 'cli') return '--url';
  if (env.TACT_URL) return 'TACT_URL';
  return `the default${env.PORT ? ', from PORT' : ''}: give the server's URL with --url or TACT_URL`;
}

/**
 * `tact help [command...]`, in place of Commander's: that one answered `tact help trian` with the
 * list of commands alone (exit 1), never saying that no command is called so. This one says it as
 * an unknown command is said, and shows the help of a subcommand too (`tact help keys create`).
 */
function helpCommand(program: Command): void {
  program.helpCommand(false);
  program
    .command('help')
    .description('display help for command')
    .argument('[command...]', 'the command, e.g. import or keys create')
    .action((names: string[]) => {
      let cmd = program;
      for (const name of names) {
        const next = cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (!next) {
          const near = closestWord(name, cmd.commands.map((c) => c.name()));
          cmd.error(`error: unknown command '${name}'${near ? `\n(Did you mean ${near}?)` : ''}`, { code: 'commander.unknownCommand' });
        }
        cmd = next as Command;
      }
      cmd.help();
    });
}

/**
 * The `Exit status` of `tact --help`, naming the commands that can exit 2, 130 and 143.
 *
 * @example
 * exitStatusText([{ name: 'import', partial: 'rejected some lines', stops: true }]);
 * // '\nExit status:\n  0  done\n  1  an error, …\n  2  done in part: import rejected some lines\n  130  …'
 */
export function exitStatusText(commands: ({ name: string } & ExitMeanings)[]): string {
  const partial = commands.filter((c) => c.partial).map((c) => `${c.name} ${c.partial}`);
  const stops = commands.filter((c) => c.stops).map((c) => c.name);
  return `
Exit status:
  0  done
  1  an error, or a wrong command line (the message says which)
${partial.length ? wrap(`  2  done in part: ${partial.join('; ')}`, '     ') : ''}${stops.length ? wrap(`  130  stopped by Ctrl-C (${andList(stops)}: run the same command again; see their --help)`, '     ') + '  143  stopped by SIGTERM, likewise\n' : ''}`;
}

/** The text in lines of at most 100 characters, each after the first indented by `indent`; ends in a line break. */
function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/(?<=\S) (?=\S)/)) {
    if (line && line.length + 1 + word.length > 100) {
      lines.push(line);
      line = indent + word;
    } else line = line ? `${line} ${word}` : word;
  }
  return lines.concat(line).join('\n') + '\n';
}

/**
 * A wrong command line said in one line, as `tact` says every other error: Commander printed
 * "error: missing required argument 'file'" and then the command's whole help (60–80 lines), so
 * the error scrolled away. A command's error is now `tact: <what is wrong> (tact <command> --help
 * lists the options)`; only `tact` itself, meeting an unknown command, still lists the commands.
 */
function oneLineErrors(program: Command): void {
  const walk = (c: Command, name: string) => {
    if (c !== program) c.showHelpAfterError(false);
    const hint = c === program ? '' : ` (${name} --help lists ${c.commands.length ? 'its commands' : 'the options'})`;
    c.configureOutput({ outputError: (text, write) => write(`${errorLine(text)}${hint}
`) });
    for (const s of c.commands) walk(s, `${name} ${s.name()}`);
  };
  walk(program, 'tact');
}

/**
 * Commander's error text as one `tact:` line: its "error: " dropped, and a suggestion on the next
 * line ("(Did you mean --port?)") joined to it.
 *
 * @example
 * errorLine("error: unknown option '--prot'\n(Did you mean --port?)\n"); // "tact: unknown option '--prot'. Did you mean --port?"
 */
export function errorLine(text: string): string {
  const [first, ...rest] = text.trim().split('\n').map((l) => l.trim().replace(/^\((.*)\)$/, '$1'));
  const sentences = [first.replace(/^error: /, ''), ...rest].filter(Boolean);
  return `tact: ${sentences.map((x, i) => (i < sentences.length - 1 && !/[.?!]$/.test(x) ? `${x}.` : x)).join(' ')}`;
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

import { existsSync, fstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** What an import reads (the file, or stdin) and the files it writes, as the command line names them. */
export interface ImportFiles {
  /** The file imported; undefined for stdin. */
  path?: string;
  /** stdin's file descriptor, when it is read instead of a file (`tact import - < events.jsonl`). */
  stdinFd?: number;
  /** --report, when given. */
  reportPath?: string;
  /** --state, when given (a file import only). */
  statePath?: string;
}

/** Where a file import saves its progress unless --state says: FILE.tact-import.json. */
export const defaultStatePath = (path: string): string => `${resolve(path)}.tact-import.json`;

/**
 * Where the bad lines go unless --report says: FILE.rejected.jsonl; for stdin a file of the run's
 * own in the current folder (`o.dir`), stdin-20261205T134012Z.rejected.jsonl (the time in UTC;
 * -2, -3… after it when that name is taken), so a later run neither removes nor overwrites an
 * earlier one's. (It is made only once a line is bad.)
 *
 * @example
 * defaultReportPath(undefined, { now: new Date('2026-12-05T13:40:12Z') }); // '/cwd/stdin-20261205T134012Z.rejected.jsonl'
 */
export function defaultReportPath(path: string | undefined, o: { now?: Date; dir?: string } = {}): string {
  if (path !== undefined) return `${resolve(path)}.rejected.jsonl`;
  const stamp = (o.now ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  for (let n = 1; ; n++) {
    const candidate = resolve(o.dir ?? '.', `stdin-${stamp}${n > 1 ? `-${n}` : ''}.rejected.jsonl`);
    if (!existsSync(candidate)) return candidate;
  }
}

type Role = 'input' | 'report' | 'state';
interface Named { role: Role; label: string; option?: string; path?: string; fd?: number }

/**
 * Refuses, before anything is read, sent or written, an import whose file, report and progress
 * are not three files: a --report or --state naming the file imported (the report replaced it,
 * or removed it when no line was bad), or one another, or the other's default. The same file is
 * the same real path (through symbolic links) or, for files that exist, the same device and
 * inode (a hard link; stdin redirected from the file).
 *
 * @example
 * checkImportFiles({ path: 'events.jsonl', reportPath: 'events.jsonl' });
 * // throws 'The --report file and the file imported are the same file (/data/events.jsonl): …'
 */
export function checkImportFiles(f: ImportFiles): void {
  const files: Named[] = [];
  if (f.path !== undefined) files.push({ role: 'input', label: 'the file imported', path: f.path });
  else if (f.stdinFd !== undefined) files.push({ role: 'input', label: 'stdin', fd: f.stdinFd });
  if (f.reportPath !== undefined) files.push({ role: 'report', label: 'the --report file', option: '--report', path: f.reportPath });
  else if (f.path !== undefined) files.push({ role: 'report', label: 'the report of bad lines (FILE.rejected.jsonl)', path: defaultReportPath(f.path) });
  if (f.path !== undefined) {
    const state = f.statePath ?? defaultStatePath(f.path);
    const given = f.statePath !== undefined;
    files.push({ role: 'state', label: given ? 'the --state file' : 'the saved progress (FILE.tact-import.json)', option: given ? '--state' : undefined, path: state });
    // The progress is written to STATE.tmp first, then renamed over STATE.
    files.push({ role: 'state', label: `the file the progress is written to before it replaces ${given ? '--state' : 'FILE.tact-import.json'} (its name with .tmp)`, option: given ? '--state' : undefined, path: `${state}.tmp` });
  }
  const ids = files.map(identity);
  for (let i = 0; i < files.length; i++) {
    for (let j = i + 1; j < files.length; j++) {
      if (files[i].role === files[j].role || !same(ids[i], ids[j])) continue;
      // The option given first: the one to change.
      const [a, b] = files[i].option || !files[j].option ? [files[i], files[j]] : [files[j], files[i]];
      throw new Error(sharedFileProblem(a, b, ids[i].real ?? ids[j].real ?? '(the same file)'));
    }
  }
}

function sharedFileProblem(a: Named, b: Named, where: string): string {
  const roles = new Set([a.role, b.role]);
  const harm = !roles.has('input')
    ? "the import's progress and its report of bad lines would be written over each other"
    : roles.has('report')
      ? 'the report of bad lines would be written over the file imported (or remove it, when no line is bad)'
      : "the import's progress would be written over the file imported";
  const options = [...new Set([a.option, b.option].filter((o): o is string => o !== undefined))];
  const fix = options.length ? `Pass ${options.join(' or ')} with another file.` : 'Pass --report or --state with another file.';
  const first = a.label.charAt(0).toUpperCase() + a.label.slice(1);
  return `${first} and ${b.label} are the same file (${where}): ${harm}. ${fix} Nothing was read, sent or written.`;
}

interface Identity { real?: string; st?: Stats }

/** Where a file really is: its real path (that of its folder, for a file not there yet) and, when it is a file, its stats. */
function identity(f: Named): Identity {
  if (f.fd !== undefined) {
    try {
      return { st: fstatSync(f.fd) };
    } catch {
      return {};
    }
  }
  const abs = resolve(f.path as string);
  try {
    return { real: realpathSync(abs), st: statSync(abs) };
  } catch {
    try {
      return { real: join(realpathSync(dirname(abs)), basename(abs)) };
    } catch {
      return { real: abs };
    }
  }
}

function same(a: Identity, b: Identity): boolean {
  if (a.real !== undefined && a.real === b.real) return true;
  return a.st !== undefined && b.st !== undefined && a.st.isFile() && b.st.isFile() && a.st.ino !== 0 && a.st.dev === b.st.dev && a.st.ino === b.st.ino;
}

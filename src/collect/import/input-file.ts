import { accessSync, constants, statSync, type Stats } from 'node:fs';

/**
 * Checks the file an import reads before anything is sent or written: that it is there, is not a
 * folder, and can be read; its stats. Each refusal is one sentence naming the file (a folder was
 * found only on reading it, as "EISDIR: illegal operation on a directory, read").
 *
 * @example
 * const st = checkInputFile('/data/events.jsonl'); // st.size
 */
export function checkInputFile(path: string): Stats {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error('a folder'), { code: 'EISDIR' });
    accessSync(path, constants.R_OK);
    return st;
  } catch (err) {
    throw new Error(inputFileProblem(path, err), { cause: err });
  }
}

/**
 * The sentence for an error met opening or reading the file an import reads (a system error, by
 * its code); any other error's message after the file's name.
 *
 * @example
 * inputFileProblem('/data/adir', Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
 * // '/data/adir is a folder, not a file: name the file to import (.jsonl, .csv or .tsv), or - for stdin.'
 */
export function inputFileProblem(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return `There is no file ${path}.`;
    case 'EISDIR': return `${path} is a folder, not a file: name the file to import (.jsonl, .csv or .tsv), or - for stdin.`;
    case 'ENOTDIR': return `There is no file ${path}: part of its path is a file, not a folder.`;
    case 'EACCES':
    case 'EPERM': return `The file ${path} cannot be read: this user is not permitted to (check its owner and mode).`;
    default: {
      const message = err instanceof Error ? err.message : String(err);
      return `${path} cannot be read: ${message.replace(/\.$/, '')}.`;
    }
  }
}

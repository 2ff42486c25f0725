import { randomUUID } from 'node:crypto';
import { catalogue, type ErrorCode } from './catalogue.js';

/** One problem with one field of a request: the field's path and a sentence saying what is wrong. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * The base error for everything Tact reports to a client.
 *
 * @example
 * throw new TactError('not_found', { what: 'profile', id: 'user:42' });
 */
export class TactError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Names this occurrence in the answer and the server log (a message may quote it as `{errorId}`). */
  readonly id: string;
  readonly problems: FieldProblem[];
  readonly extra: Record<string, unknown>;

  /** `options.at`: the one field the error is about — its `problems` then name it, with the error's sentence. */
  constructor(code: ErrorCode, params: Record<string, string | number> = {}, options: { problems?: FieldProblem[]; extra?: Record<string, unknown>; at?: string } = {}) {
    const id = randomUUID();
    super(fill(catalogue[code].message, { errorId: id, ...params }));
    this.id = id;
    this.name = 'TactError';
    this.code = code;
    this.statusCode = catalogue[code].status;
    this.problems = options.problems ?? (options.at !== undefined ? [{ field: options.at, message: this.message }] : []);
    this.extra = options.extra ?? {};
  }

  toJSON(): Record<string, unknown> {
    return {
      error: this.code,
      message: this.message,
      errorId: this.id,
      ...(this.problems.length ? { problems: this.problems } : {}),
      ...this.extra,
    };
  }
}

/**
 * A 400 naming every field that is wrong; the message is the first problem's sentence.
 *
 * @example
 * throw validationError([{ field: 'event', message: 'The `event` property is required for a track call.' }]);
 */
export function validationError(problems: FieldProblem[], extra?: Record<string, unknown>): TactError {
  const detail = problems.length === 1 ? problems[0].message : `${problems[0].message} (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}, listed in \`problems\`)`;
  return new TactError('validation_failed', { detail }, { problems, extra });
}

function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(?:(an?|An?):)?(\w+)\}/g, (whole, article: string | undefined, k: string) => {
    if (!(k in params)) return whole;
    const value = String(params[k]);
    if (!article) return value;
    const phrase = withArticle(value);
    return article[0] === 'A' ? phrase[0].toUpperCase() + phrase.slice(1) : phrase;
  });
}

/** The word with `a` or `an` before it, by its first letter (`an admin`, `a server`). */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

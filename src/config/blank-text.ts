import { type FieldProblem, validationError } from '../errors/tact-error.js';

/**
 * The problems of free text kept with a change (a `reason`, a `note`) that is there but empty or
 * only white space: it would be stored, and say nothing to whoever reads the history later. A field
 * left out (undefined) is not checked: whether it may be is the route schema's business.
 *
 * @example
 * blankProblems({ reason: '   ' }); // [{ field: 'reason', message: 'The `reason` is blank (only white space): … say it in words.' }]
 */
export function blankProblems(fields: Record<string, unknown>): FieldProblem[] {
  return Object.entries(fields)
    .filter(([, v]) => typeof v === 'string' && !v.trim())
    .map(([field, v]) => ({ field, message: `The \`${field}\` is ${v ? 'blank (only white space)' : 'empty'}: it is kept with the change for whoever reads it later, so say it in words.` }));
}

/**
 * Throws the 400 of {@link blankProblems} when there is any.
 *
 * @example
 * refuseBlank({ note: req.body.note });
 */
export function refuseBlank(fields: Record<string, unknown>): void {
  const problems = blankProblems(fields);
  if (problems.length) throw validationError(problems);
}

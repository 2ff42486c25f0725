import type { Evaluation } from '../evaluate/evaluation.js';

/**
 * The JSON fields of each evaluation that declares them (Evaluation.fields), for
 * `tact evaluate --help`: one block per evaluation, one line per field, its meaning wrapped at
 * `width` columns under it.
 *
 * @example
 * fieldsHelp([banditEvaluation]); // 'JSON fields (the last line of --json):\n  bandit\n    ctr_last10k  the learner's click rate …'
 */
export function fieldsHelp(evaluations: readonly Evaluation[], width = 100): string {
  const blocks = evaluations.filter((e) => e.fields).map((e) => {
    const fields = Object.entries(e.fields!);
    const pad = Math.min(Math.max(...fields.map(([k]) => k.length)), 32);
    const indent = ' '.repeat(6 + pad);
    const lines = fields.flatMap(([k, meaning]) => {
      const body = wrap(meaning, width - indent.length).map((l) => `${indent}${l}`);
      // A name longer than the column has its meaning on the lines under it.
      return k.length > pad ? [`    ${k}`, ...body] : [`    ${k.padEnd(pad)}  ${body[0].trimStart()}`, ...body.slice(1)];
    });
    return [`  ${e.name}`, ...lines].join('\n');
  });
  return blocks.length ? `\nJSON fields (the last line of --json, one object per evaluation):\n${blocks.join('\n')}` : '';
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...out, line];
}

/**
 * What an evaluation's answer and its declared fields disagree on: a field the answer has that is
 * not declared (or the reverse), and a field of an object in the answer that its meaning does not
 * name in backticks. Empty when the help says everything the JSON holds.
 *
 * @example
 * fieldsMismatch({ evaluation: 'x', a: 1 }, { evaluation: '"x"' }); // ['a: in the JSON, not in the help']
 */
export function fieldsMismatch(out: Record<string, unknown>, fields: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(out)) {
    if (!Object.hasOwn(fields, k)) problems.push(`${k}: in the JSON, not in the help`);
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const inner of Object.keys(v)) if (!fields[k].includes(`\`${inner}\``)) problems.push(`${k}.${inner}: in the JSON, not named in the help of ${k}`);
    }
  }
  for (const k of Object.keys(fields)) if (!Object.hasOwn(out, k)) problems.push(`${k}: in the help, not in the JSON`);
  return problems;
}

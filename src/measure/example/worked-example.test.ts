import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { partValidators } from '../../server/validators.js';
import { measureSchemas } from '../routes.js';
import { evaluateRequests, exampleWindow, requestLine } from './requests.js';

/** The `$ POST /v1/evaluate-policy …` lines of docs/measure.md's worked example, in order. */
const documented = () => readFileSync('docs/measure.md', 'utf8').split('\n').filter((l) => l.startsWith('$ POST /v1/evaluate-policy '));

describe("the worked example's off-policy evaluation requests", () => {
  const validate = partValidators()({ schema: measureSchemas.evaluate.body, httpPart: 'body' });

  it('prints bodies a reader can send as they are: each one the route takes (until 2026-12-04 the line showed only the candidate, a 400)', () => {
    const lines = documented();
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const body = JSON.parse(line.slice('$ POST /v1/evaluate-policy '.length)) as unknown;
      expect(validate(body), `${line}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it("docs/measure.md shows the bodies the script sends, over the run's window", () => {
    const { from, to } = exampleWindow();
    expect(from).toBe('2026-11-01T00:00:00.000Z');
    // 6,000 subjects a minute apart, then a day for their outcomes to arrive.
    expect(Date.parse(to) - Date.parse(from)).toBe(6000 * 60_000 + 86_400_000);
    expect(documented()).toEqual(evaluateRequests(exampleWindow()).map(requestLine));
  });
});

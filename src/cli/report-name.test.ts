import { describe, expect, it } from 'vitest';
import { checkReportName } from './report-name.js';

describe('the name of a `tact import --report` file', () => {
  it('takes .jsonl and .ndjson, and refuses another extension in one line naming the option and the name to give', () => {
    expect(() => ['bad.jsonl', 'BAD.JSONL', 'bad.ndjson'].forEach(checkReportName)).not.toThrow();
    expect(() => checkReportName('out/bad.csv')).toThrow('--report out/bad.csv: the report of bad lines is written as JSON lines (one bad line and its reason a line), which the extension .csv does not say; name it out/bad.jsonl.');
    expect(() => checkReportName('bad')).toThrow('--report bad: the report of bad lines is written as JSON lines (one bad line and its reason a line), which a name without an extension does not say; name it bad.jsonl.');
  });
});

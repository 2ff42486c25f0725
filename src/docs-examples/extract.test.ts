import { describe, expect, it } from 'vitest';
import { curls, fences, shellWords } from './extract.js';

describe('reading examples out of Markdown', () => {
  it('finds fenced blocks with their language, and none in prose', () => {
    const md = 'Text ```inline``` here.\n\n```yaml\na: 1\n```\n\n```\nplain\n```\n';
    expect(fences(md)).toEqual([{ lang: 'yaml', text: 'a: 1' }, { lang: '', text: 'plain' }]);
  });

  it('splits words as sh does for the quotes the docs use', () => {
    expect(shellWords(`curl -u "$K:" -d '{"a":"b c"}' "x\\"y"`)).toEqual(['curl', '-u', '$K:', '-d', '{"a":"b c"}', 'x"y']);
    expect(() => shellWords(`curl -d '{"a":1}`)).toThrow(/unclosed single quote/);
  });

  it('reads a README curl command, over continued lines, into a request', () => {
    const sh = [
      '# a comment',
      `curl -s -u "$TACT_WRITE_KEY:" http://localhost:8787/v1/identify \\`,
      `  -H 'content-type: application/json' \\`,
      `  -d '{"userId":"ana"}'`,
      `curl -s -H "authorization: Bearer $TACT_SERVER_KEY" localhost:8787/v1/profiles/email:ana@example.com`,
      `curl -s -X DELETE -H "authorization: Bearer $TACT_ADMIN_KEY" "http://localhost:8787/v1/flags/f1?reason=done"`,
    ].join('\n');
    expect(curls(sh)).toEqual([
      { method: 'POST', url: '/v1/identify', auth: 'basic:TACT_WRITE_KEY', headers: { 'content-type': 'application/json' }, body: '{"userId":"ana"}' },
      { method: 'GET', url: '/v1/profiles/email:ana@example.com', auth: 'bearer:TACT_SERVER_KEY', headers: {}, body: null },
      { method: 'DELETE', url: '/v1/flags/f1?reason=done', auth: 'bearer:TACT_ADMIN_KEY', headers: {}, body: null },
    ]);
  });
});

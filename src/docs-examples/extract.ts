/**
 * Reads the examples out of a Markdown page — its fenced blocks and the curl commands in them — so
 * tests can run what the docs tell a reader to run, and notice when the two drift apart.
 */

/** One fenced block: its info string (`sh`, `json`, `yaml`, or '' for none) and its text. */
export interface Fence {
  lang: string;
  text: string;
}

/** A curl command as the docs write it, read into the parts a request is made of. */
export interface CurlRequest {
  method: string;
  /** The path and query, e.g. `/v1/decide` (the host is whatever the reader's server is). */
  url: string;
  /** `basic:NAME` for `-u "$NAME:"`, `bearer:NAME` for an `authorization: Bearer $NAME` header. */
  auth: string | null;
  headers: Record<string, string>;
  body: string | null;
}

/**
 * The fenced blocks of a Markdown text, in order.
 *
 * @example
 * fences('```yaml\na: 1\n```'); // [{ lang: 'yaml', text: 'a: 1' }]
 */
export function fences(markdown: string): Fence[] {
  const out: Fence[] = [];
  let open: { lang: string; lines: string[] } | null = null;
  for (const line of markdown.split('\n')) {
    const fence = /^```(\S*)\s*$/.exec(line);
    if (fence && !open) open = { lang: fence[1], lines: [] };
    else if (fence && open) { out.push({ lang: open.lang, text: open.lines.join('\n') }); open = null; }
    else if (open) open.lines.push(line);
  }
  return out;
}

/**
 * Splits a shell command line into words the way sh would for the quoting the docs use: single
 * quotes verbatim, double quotes with `\"` and `\\`, a backslash-newline joining lines.
 *
 * @example
 * shellWords(`curl -d '{"a":1}' "$B"`); // ['curl', '-d', '{"a":1}', '$B']
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  const text = line.replace(/\\\n/g, ' ');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`An unclosed single quote in the command: ${line}`);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      for (; j < text.length && text[j] !== '"'; j++) s += text[j] === '\\' && /["\\$`]/.test(text[j + 1] ?? '') ? text[++j] : text[j];
      if (j >= text.length) throw new Error(`An unclosed double quote in the command: ${line}`);
      word = (word ?? '') + s;
      i = j;
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else word = (word ?? '') + c;
  }
  if (word !== null) words.push(word);
  return words;
}

/**
 * The curl commands of a shell block, each read into a request. Lines that are not curl (comments,
 * other commands) are passed over.
 *
 * @example
 * curls(`curl -s -u "$TACT_WRITE_KEY:" http://localhost:8787/v1/track -d '{}'`);
 * // [{ method: 'POST', url: '/v1/track', auth: 'basic:TACT_WRITE_KEY', headers: {}, body: '{}' }]
 */
export function curls(shell: string): CurlRequest[] {
  const commands = shell.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('curl '));
  return commands.map((command) => {
    const words = shellWords(command);
    const req: CurlRequest = { method: '', url: '', auth: null, headers: {}, body: null };
    for (let i = 1; i < words.length; i++) {
      const w = words[i];
      if (w === '-u') req.auth = `basic:${/^\$\{?(\w+)\}?:$/.exec(words[++i])?.[1] ?? words[i]}`;
      else if (w === '-H') {
        const [name, ...rest] = words[++i].split(':');
        const value = rest.join(':').trim();
        const bearer = /^Bearer \$\{?(\w+)\}?$/i.exec(value);
        if (name.toLowerCase() === 'authorization' && bearer) req.auth = `bearer:${bearer[1]}`;
        else req.headers[name.toLowerCase()] = value;
      } else if (w === '-d' || w === '--data') req.body = words[++i];
      else if (w === '-X') req.method = words[++i];
      else if (!w.startsWith('-')) req.url = w.replace(/^(https?:\/\/)?[^/]+/, '');
    }
    req.method ||= req.body === null ? 'GET' : 'POST';
    return req;
  });
}

/**
 * The sorted keys of an object: what a documented answer's shape is compared by.
 *
 * @example
 * keysOf({ b: 1, a: 2 }); // ['a', 'b']
 */
export function keysOf(value: unknown): string[] {
  return value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value).sort() : [];
}

/**
 * Where a config file stops being JSON or YAML, as a line and column, without quoting the text:
 * the file may hold the alert webhook's secret (docs/configuration.md), and what a start prints
 * goes to the server's log. Node's JSON.parse names no line, and for some faults no position
 * at all but a piece of the text ("Unexpected token 'x', ...\"secret\": x}" is not valid JSON").
 */

/** Line and column (both from 1) of a character offset in `text`. @example lineColumn('a\nbc', 3) // { line: 2, column: 2 } */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line += 1;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/**
 * The first place `text` is not JSON (RFC 8259) and why, or undefined when it is.
 *
 * @example
 * jsonFault('[1,]'); // { offset: 3, reason: 'a value was expected' }
 */
export function jsonFault(text: string): { offset: number; reason: string } | undefined {
  let i = 0;
  const fault = (reason: string, at = i): never => {
    throw Object.assign(new Error(reason), { offset: at });
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (c: string, what: string) => {
    space();
    if (text[i] !== c) fault(i >= text.length ? `the text ended where ${what} was expected` : `${what} was expected`);
    i++;
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fault('a string is not closed');
      const c = text[i];
      if (c === '"') return void i++;
      if (c < ' ') fault('a string holds a control character (a tab or a line break): write it as \\t or \\n');
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fault('a \\u escape needs four hexadecimal digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fault('a backslash in a string starts no escape JSON has');
      } else i++;
    }
  };
  const value = (depth: number): void => {
    space();
    if (depth > 512) fault('the values nest more than 512 deep');
    const c = text[i];
    if (c === undefined) fault('the text ended where a value was expected');
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        if (text[i] !== '"') fault(i >= text.length ? 'the text ended where a property name was expected' : 'a property name in double quotes was expected');
        string();
        expect(':', 'a `:` after the property name');
        value(depth + 1);
        space();
        if (text[i] === '}') return void i++;
        expect(',', 'a `,` or `}` after the property value');
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        space();
        if (text[i] === ']') return void i++;
        expect(',', 'a `,` or `]` after the element');
      }
    }
    if (c === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400))?.[0];
    if (!literal || /^[\w.+-]/.test(text[i + literal.length] ?? '')) fault('a value was expected (a string in double quotes, a number, true, false, null, an object or a list)');
    i += literal!.length;
  };
  try {
    value(0);
    space();
    if (i < text.length) fault('more follows the end of the JSON value');
    return undefined;
  } catch (err) {
    return { offset: (err as { offset: number }).offset, reason: (err as Error).message };
  }
}

/**
 * JSON.parse's reason for refusing `text`, without the piece of the text Node quotes for some
 * faults (`Unexpected token 'x', ..."te-7","a":x}" is not valid JSON`) and with the position
 * instead: a request body may carry a write key (analytics.js sends it as `writeKey`) or personal
 * data, and what is wrong with it is answered and logged. Other reasons name a position already.
 *
 * @example
 * jsonErrorDetail(err, '{"a":x}'); // "Unexpected token 'x' in JSON at position 5"
 */
export function jsonErrorDetail(err: unknown, text: string): string {
  // Node 24 adds "(line 1 column 79)" after the position: dropped, so every Node answers alike.
  const message = String((err as Error)?.message ?? err).replace(/\.$/, '').replace(/ \(line \d+ column \d+\)$/, '');
  const quoted = /^(.*?), (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s.exec(message);
  if (!quoted) return message;
  const fault = jsonFault(text);
  return fault ? `${quoted[1]} in JSON at position ${fault.offset}` : quoted[1];
}

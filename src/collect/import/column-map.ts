import { closestWord } from '../../errors/edit-distance.js';
import { JSON_NUMBER_TEXT } from '../../profiles/features/property-values.js';
import { MESSAGE_TYPES } from '../message.js';
import { readIsoTime } from '../normalize.js';

/**
 * How a CSV row becomes a Segment message: `--map "userId=customer_id,properties.revenue=amount:number"`
 * names, for each message field (a dotted path), the column it comes from and optionally a
 * conversion (number, boolean, json, date). Columns not mapped go under `rest` (properties for
 * track/page/screen, traits for identify/group) unless `rest` is "ignore".
 */
export interface ColumnMap {
  fields: { path: string[]; column: string; as?: 'number' | 'boolean' | 'json' | 'date' | 'string' }[];
  type: string;
  rest: 'properties' | 'traits' | 'ignore';
}

/**
 * Parses a --map option.
 *
 * @example
 * parseColumnMap('userId=id,event=action,properties.revenue=amount:number', 'track');
 */
export function parseColumnMap(spec: string | undefined, type = 'track', rest?: string): ColumnMap {
  const fields: ColumnMap['fields'] = [];
  for (const part of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 1) throw new Error(`The column map entry "${part}" must look like field=column, e.g. userId=customer_id.`);
    const path = part.slice(0, eq).trim().split('.');
    const [column, as] = part.slice(eq + 1).trim().split(':');
    if (as && !['number', 'boolean', 'json', 'date', 'string'].includes(as)) throw new Error(`Unknown conversion ":${as}" in "${part}"; use number, boolean, json, date or string.`);
    // `properties.` or `properties..sku` would store a property named "" (the HTTP API would take it; a map means a name).
    if (path.some((step) => step === '')) throw new Error(`The column map entry "${part}" has an empty name in its field path: write each step, e.g. properties.revenue=${column || 'amount'}.`);
    fields.push({ path, column, as: as as ColumnMap['fields'][number]['as'] });
  }
  if (!(MESSAGE_TYPES as readonly string[]).includes(type)) throw new Error(`The --type "${type}" must be one of ${MESSAGE_TYPES.join(', ')}.`);
  for (const f of fields) checkTarget(f, type);
  requireFields(fields, type);
  const defaultRest = type === 'identify' || type === 'group' ? 'traits' : 'properties';
  const r = (rest ?? defaultRest) as ColumnMap['rest'];
  if (!['properties', 'traits', 'ignore'].includes(r)) throw new Error('--rest must be properties, traits or ignore.');
  checkOverlaps(fields, r);
  return { fields, type, rest: r };
}

/**
 * Refuses two entries that fill the same place — the same field (`userId=a,userId=b`), or one
 * inside the other (`properties.a=x,properties.a.b=y`) — and a whole object field that unmapped
 * columns go into too (`properties=x:json` with --rest properties): each row would keep one column
 * and drop the other without a word.
 */
function checkOverlaps(fields: ColumnMap['fields'], rest: ColumnMap['rest']): void {
  const entry = (f: ColumnMap['fields'][number]) => `${f.path.join('.')}=${f.column}${f.as ? `:${f.as}` : ''}`;
  for (let i = 0; i < fields.length; i++) {
    const a = fields[i];
    for (let j = i + 1; j < fields.length; j++) {
      const b = fields[j];
      const [short, long] = a.path.length <= b.path.length ? [a, b] : [b, a];
      if (!short.path.every((step, k) => long.path[k] === step)) continue;
      throw new Error(short.path.length === long.path.length
        ? `The column map fills \`${a.path.join('.')}\` twice ("${entry(a)}" and "${entry(b)}"): each row would keep one column and lose the other. Map each column to a field of its own.`
        : `The column map fills \`${long.path.join('.')}\` inside \`${short.path.join('.')}\`, which it fills whole ("${entry(short)}" and "${entry(long)}"): one column would be lost. Map each column to a field of its own.`);
    }
    if (a.path.length === 1 && OBJECT_FIELDS.includes(a.path[0])) {
      if (a.as !== 'json') throw new Error(`The column map puts the column "${a.column}" in \`${a.path[0]}\` whole, which must be an object: add :json to read the column as one ("${a.path[0]}=${a.column}:json"), or map its fields one by one (${a.path[0]}.name=column).`);
      if (a.path[0] === rest) throw new Error(`The column map fills \`${rest}\` whole ("${entry(a)}"), and the columns it does not map go into \`${rest}\` too (--rest ${rest}): pass --rest ignore (or ${rest === 'traits' ? 'properties' : 'traits'}), or map the fields one by one.`);
    }
  }
}

/** Fields of every call holding an object a column may fill part of (`properties.revenue`). */
const OBJECT_FIELDS = ['context', 'integrations', 'properties', 'traits'];
/**
 * The text fields of every call the collection API keeps (normalize.ts), and `receivedAt`, which the
 * import reads to correct the time (event-time.ts); then each call's own.
 */
const TEXT_FIELDS = ['messageId', 'userId', 'anonymousId', 'timestamp', 'originalTimestamp', 'sentAt', 'receivedAt'];
const CALL_FIELDS: Record<string, string[]> = { track: ['event'], page: ['name', 'category'], screen: ['name', 'category'], group: ['groupId'], alias: ['previousId'], identify: [] };

/**
 * Refuses a target that is no field of the call: the normaliser would drop it (`propertes.amount`,
 * `revenue`), and its column with it, on every row and without a word.
 */
function checkTarget(f: ColumnMap['fields'][number], type: string): void {
  const [head, ...rest] = f.path;
  const text = [...TEXT_FIELDS, ...(CALL_FIELDS[type] ?? [])];
  const where = `The column map puts the column "${f.column}" in \`${f.path.join('.')}\`, but`;
  if (text.includes(head)) {
    if (rest.length) throw new Error(`${where} \`${head}\` is text, with no field inside it: write \`${head}=${f.column}\`.`);
    return;
  }
  if (OBJECT_FIELDS.includes(head)) return;
  if (head === 'type') throw new Error(`${where} the type of every row's call is --type's (${type}): import each type of call with its own --type.`);
  const known = [...text, ...OBJECT_FIELDS];
  const near = closestWord(head, known);
  const list = `${known.slice(0, -1).join(', ')} and ${known[known.length - 1]}`;
  const article = type === 'identify' || type === 'alias' ? 'an' : 'a';
  throw new Error(`${where} \`${head}\` is not a field of ${article} ${type} call.${near ? ` Did you mean \`${near}\`?` : ''} ${article === 'an' ? 'An' : 'A'} ${type} call carries ${list}.`);
}

/**
 * What every row's message needs comes only from the map (unmapped columns go under properties or
 * traits): a map without it would have every row refused, one by one, after the whole file is read.
 */
function requireFields(fields: ColumnMap['fields'], type: string): void {
  const has = (name: string) => fields.some((f) => f.path.length === 1 && f.path[0] === name);
  const example = (name: string, column: string) => `add e.g. ${name}=${column} to --map`;
  if (!has('userId') && !has('anonymousId')) throw new Error(`The column map gives no \`userId\` or \`anonymousId\`, one of which every message needs: ${example('userId', 'customer_id')}.`);
  const needs: Record<string, [string, string][]> = { track: [['event', 'action']], group: [['groupId', 'company_id']], alias: [['previousId', 'old_id'], ['userId', 'customer_id']] };
  for (const [name, column] of needs[type] ?? []) {
    if (!has(name)) throw new Error(`The column map gives no \`${name}\`, which a ${type} call needs: ${example(name, column)}.`);
  }
}

/**
 * Checks a CSV file's header against the map before any row is read: a mapped column the header
 * lacks would fail every row, and a column named twice would have one of its values silently
 * lost (a record holds one value per name) — unless nothing reads it (not mapped, --rest ignore).
 */
export function checkHeader(header: string[], map: ColumnMap): void {
  const mapped = new Set(map.fields.map((f) => f.column));
  const first = new Map<string, number>();
  header.forEach((name, i) => {
    const seen = first.get(name);
    if (seen === undefined) first.set(name, i);
    else if (mapped.has(name) || map.rest !== 'ignore') {
      throw new Error(`The header names the column "${name}" twice (columns ${seen + 1} and ${i + 1}): rename one${mapped.has(name) ? '' : ', or pass --rest ignore to leave unmapped columns out'}.`);
    }
  });
  if (map.rest !== 'ignore') {
    // An unmapped column goes in as `rest.<its name>`: a name of none, or one a mapped field fills, would lose a value.
    const blank = header.findIndex((name) => name === '' && !mapped.has(name));
    if (blank >= 0) throw new Error(`The header's column ${blank + 1} has no name, and unmapped columns go into \`${map.rest}\` under their names: name it, or pass --rest ignore to leave unmapped columns out.`);
    for (const name of first.keys()) {
      if (mapped.has(name)) continue;
      const clash = map.fields.find((f) => f.path[0] === map.rest && f.path[1] === name);
      if (clash) throw new Error(`The column "${name}" is not mapped, so it goes into \`${map.rest}.${name}\`, which the map fills from the column "${clash.column}" (\`${clash.path.join('.')}\`): one would be lost. Map "${name}" somewhere, rename it, or pass --rest ignore.`);
    }
  }
  const missing = [...mapped].filter((c) => !first.has(c));
  if (missing.length) {
    // Quoted: a name with a space before it ("user, event") shows it.
    const list = header.map((c) => JSON.stringify(c)).join(', ');
    throw new Error(missing.length === 1
      ? `The column map names the column "${missing[0]}", which the header lacks (its columns: ${list}).`
      : `The column map names the columns ${missing.map((c) => `"${c}"`).join(', ')}, which the header lacks (its columns: ${list}).`);
  }
}

/** Builds one message from a CSV record; throws a sentence naming the column when a value does not convert. */
export function rowToMessage(row: Record<string, string>, map: ColumnMap): Record<string, unknown> {
  const msg: Record<string, unknown> = { type: map.type };
  const used = new Set<string>();
  for (const f of map.fields) {
    used.add(f.column);
    const raw = row[f.column];
    if (raw === undefined) throw new Error(`the column "${f.column}" is not in the file's header`);
    // A cell of white space holds no number, flag, JSON or date (Number(' ') would be 0): left out, as an empty one.
    if (raw === '' || (f.as !== undefined && f.as !== 'string' && raw.trim() === '')) continue;
    set(msg, f.path, convert(raw, f.as, f.column));
  }
  if (map.rest !== 'ignore') {
    for (const [col, raw] of Object.entries(row)) {
      if (used.has(col) || raw === '') continue;
      set(msg, [map.rest, col], raw);
    }
  }
  return msg;
}

function convert(raw: string, as: ColumnMap['fields'][number]['as'], column: string): unknown {
  switch (as) {
    case 'number': {
      // A number as JSON writes one, white space around it aside (a CSV cell is often padded), as a
      // feature reads text (property-values.ts): Number() would read "0x10" as 16 and "00012" as 12.
      const text = raw.trim();
      const n = JSON_NUMBER_TEXT.test(text) ? Number(text) : NaN;
      if (!Number.isFinite(n)) throw new Error(`the value "${raw}" in column "${column}" is not a number (digits, an optional minus, point and exponent, as JSON writes one)`);
      return n;
    }
    case 'boolean':
      if (/^(true|1|yes)$/i.test(raw)) return true;
      if (/^(false|0|no)$/i.test(raw)) return false;
      throw new Error(`the value "${raw}" in column "${column}" is not true/false`);
    case 'json':
      try {
        return JSON.parse(raw);
      } catch {
        throw new Error(`the value in column "${column}" is not valid JSON`);
      }
    case 'date': {
      // ISO-8601 only, as the collection API reads it (offsetless is UTC, not this machine's zone):
      // Date.parse would guess at other text, reading 05/03/2026 as 3 May in this machine's zone.
      const t = readIsoTime(raw.trim());
      if (!Number.isFinite(t)) throw new Error(`the value "${raw}" in column "${column}" is not a date`);
      return new Date(t).toISOString();
    }
    default:
      return raw;
  }
}

/**
 * Sets `value` at `path`, every step an own property: a step named `__proto__` (a map's
 * `properties.__proto__.x`, or a header's column of that name) is a property of that name, as JSON
 * text makes it, not the object's prototype (until 2026-12-08 an assignment there set the import
 * process's Object.prototype, and the column was lost).
 */
function set(obj: Record<string, unknown>, path: string[], value: unknown): void {
  const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? Object.getOwnPropertyDescriptor(o, k)?.value : undefined);
  const put = (o: Record<string, unknown>, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  let cur = obj;
  for (let i = 0; i < path.length - 1; i++) {
    let next = own(cur, path[i]);
    if (next === undefined || next === null || typeof next !== 'object') put(cur, path[i], (next = {}));
    cur = next as Record<string, unknown>;
  }
  put(cur, path[path.length - 1], value);
}

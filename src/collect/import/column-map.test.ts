import { describe, expect, it } from 'vitest';
import { checkHeader, parseColumnMap, rowToMessage } from './column-map.js';

describe('CSV column map', () => {
  it('reads a :date column\'s date-time without an offset as UTC, whatever this machine\'s time zone', () => {
    const tz = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    try {
      const map = parseColumnMap('userId=user,event=name,timestamp=at:date');
      for (const at of ['2026-02-01 10:00:00', '2026-02-01T10:00', '2026-02-01T19:00:00+09:00']) {
        expect(rowToMessage({ user: 'u1', name: 'Order Completed', at }, map).timestamp, at).toBe('2026-02-01T10:00:00.000Z');
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('refuses a :date value that is not an ISO-8601 time, naming the column, rather than guessing day and month', () => {
    // Date.parse reads "05/03/2026" (5 March, as much of the world writes it) as 3 May in this machine's zone.
    const map = parseColumnMap('userId=user,event=name,timestamp=at:date');
    for (const at of ['05/03/2026', 'March 5', '2026-02-30']) {
      expect(() => rowToMessage({ user: 'u1', name: 'Order Completed', at }, map), at).toThrow(`the value "${at}" in column "at" is not a date`);
    }
    expect(rowToMessage({ user: 'u1', name: 'E', at: '2026-03-05T10:00:00,5+01' }, map).timestamp).toBe('2026-03-05T09:00:00.500Z');
  });
  it('leaves out a cell of white space under :number, :boolean, :json and :date, as an empty one (Number(" ") is 0, not a missing amount)', () => {
    const map = parseColumnMap('userId=user,event=name,properties.revenue=amount:number,properties.gift=gift:boolean,properties.meta=meta:json,timestamp=at:date,properties.note=note');
    const m = rowToMessage({ user: 'u1', name: 'E', amount: '  ', gift: ' ', meta: '\t', at: ' ', note: ' ' }, map);
    expect(m).toEqual({ type: 'track', userId: 'u1', event: 'E', properties: { note: ' ' } });
    expect(rowToMessage({ user: 'u1', name: 'E', amount: ' 12.5 ', gift: '', meta: '', at: '', note: '' }, map).properties).toEqual({ revenue: 12.5 });
  });

  it('refuses a --type the collection API has no call for, and a map that cannot give a row what its call needs, before any row is read', () => {
    expect(() => parseColumnMap('userId=user,event=name', 'purchase')).toThrow('The --type "purchase" must be one of track, identify, page, screen, group, alias.');
    expect(() => parseColumnMap(undefined, 'track')).toThrow('The column map gives no `userId` or `anonymousId`');
    expect(() => parseColumnMap('userId=user', 'track')).toThrow('The column map gives no `event`, which a track call needs');
    expect(() => parseColumnMap('anonymousId=a', 'group')).toThrow('The column map gives no `groupId`, which a group call needs');
    expect(parseColumnMap('anonymousId=a', 'identify').rest).toBe('traits');
  });

  it('refuses a map target that is no field of the call, naming it and the field it likely means, before any row is read', () => {
    // Found by QA: `propertes.amount` was taken, and every row's amount silently lost (exit 0).
    expect(() => parseColumnMap('userId=customer,event=kind,propertes.amount=amount:number')).toThrow(
      'The column map puts the column "amount" in `propertes.amount`, but `propertes` is not a field of a track call. Did you mean `properties`? A track call carries messageId, userId, anonymousId, timestamp, originalTimestamp, sentAt, receivedAt, event, context, integrations, properties and traits.',
    );
    expect(() => parseColumnMap('userId=customer,event=kind,revenue=amount')).toThrow('`revenue` is not a field of a track call. A track call carries');
    // A field of another call: a track call has no groupId, a group call no event.
    expect(() => parseColumnMap('userId=u,event=kind,groupId=company')).toThrow('`groupId` is not a field of a track call.');
    expect(() => parseColumnMap('userId=u,groupId=g,event=kind', 'group')).toThrow('`event` is not a field of a group call.');
    // A text field has nothing inside it.
    expect(() => parseColumnMap('userId.id=u,event=kind')).toThrow('The column map puts the column "u" in `userId.id`, but `userId` is text, with no field inside it: write `userId=u`.');
    // Every field the collection API keeps for the call is taken.
    expect(() => parseColumnMap('userId=u,anonymousId=a,messageId=m,event=e,timestamp=t,originalTimestamp=o,sentAt=s,receivedAt=r,context.ip=ip,integrations.All=all:boolean,properties.x=x,traits.email=email')).not.toThrow();
    expect(() => parseColumnMap('userId=u,name=n,category=c,properties.path=p', 'page')).not.toThrow();
    expect(() => parseColumnMap('userId=u,previousId=p', 'alias')).not.toThrow();
  });

  it('checks the header against the map: a missing column and a used column named twice are named', () => {
    const map = parseColumnMap('userId=user,event=name');
    expect(() => checkHeader(['user', 'event'], map)).toThrow('The column map names the column "name", which the header lacks (its columns: "user", "event").');
    expect(() => checkHeader(['user', 'name', 'plan', 'plan'], map)).toThrow('The header names the column "plan" twice (columns 3 and 4)');
    expect(() => checkHeader(['user', 'name', 'plan', 'plan'], parseColumnMap('userId=user,event=name', 'track', 'ignore'))).not.toThrow();
  });

  it('refuses a map where two entries fill one place, or a field whole that unmapped columns fill too: a column would be lost on every row', () => {
    expect(() => parseColumnMap('userId=customer,event=kind,userId=amount')).toThrow('The column map fills `userId` twice ("userId=customer" and "userId=amount")');
    expect(() => parseColumnMap('userId=c,event=k,properties.x=amount,properties.x=desc')).toThrow('fills `properties.x` twice');
    expect(() => parseColumnMap('userId=c,event=k,properties.a=amount,properties.a.b=desc')).toThrow('The column map fills `properties.a.b` inside `properties.a`, which it fills whole ("properties.a=amount" and "properties.a.b=desc")');
    expect(() => parseColumnMap('userId=c,event=k,properties.revenue.x=p:number,properties.revenue=a:number')).toThrow('inside `properties.revenue`');
    expect(() => parseColumnMap('userId=c,event=k,properties=payload')).toThrow('The column map puts the column "payload" in `properties` whole, which must be an object: add :json');
    expect(() => parseColumnMap('userId=c,event=k,properties=payload:json')).toThrow('The column map fills `properties` whole ("properties=payload:json"), and the columns it does not map go into `properties` too (--rest properties): pass --rest ignore (or traits)');
    expect(() => parseColumnMap('userId=c,event=k,properties=payload:json,properties.flag=f:boolean', 'track', 'ignore')).toThrow('inside `properties`');
    const whole = parseColumnMap('userId=c,event=k,properties=payload:json', 'track', 'ignore');
    expect(rowToMessage({ c: 'u1', k: 'E', payload: '{"a":1}', other: 'x' }, whole)).toEqual({ type: 'track', userId: 'u1', event: 'E', properties: { a: 1 } });
    // Siblings are no overlap.
    expect(parseColumnMap('userId=c,event=k,properties.a.b=x,properties.a.c=y').fields).toHaveLength(4);
  });

  it('refuses an unmapped column that would go where a mapped field is, and a column with no name, when unmapped columns are kept', () => {
    const map = parseColumnMap('userId=customer,event=kind,properties.amount=price:number');
    expect(() => checkHeader(['customer', 'kind', 'amount', 'price'], map)).toThrow('The column "amount" is not mapped, so it goes into `properties.amount`, which the map fills from the column "price" (`properties.amount`): one would be lost.');
    checkHeader(['customer', 'kind', 'amount', 'price'], parseColumnMap('userId=customer,event=kind,properties.amount=price:number', 'track', 'ignore'));
    expect(() => checkHeader(['id', 'kind', ''], parseColumnMap('userId=id,event=kind'))).toThrow("The header's column 3 has no name, and unmapped columns go into `properties` under their names");
    checkHeader(['id', 'kind', ''], parseColumnMap('userId=id,event=kind', 'track', 'ignore'));
  });

  it('refuses an empty step in a field path (a property named ""), and writes `__proto__` as a property of that name, never the prototype', () => {
    expect(() => parseColumnMap('userId=c,event=k,properties.=amount')).toThrow('The column map entry "properties.=amount" has an empty name in its field path');
    expect(() => parseColumnMap('userId=c,event=k,properties..x=amount')).toThrow('has an empty name');
    // A map's `__proto__` step and a header's `__proto__` column: own properties, as JSON text makes them (an assignment set Object.prototype, and the column was lost).
    const proto = rowToMessage({ c: 'u', k: 'E', amount: '5' }, parseColumnMap('userId=c,event=k,properties.__proto__.x=amount'));
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(JSON.stringify(proto.properties)).toBe('{"__proto__":{"x":"5"}}');
    const header = rowToMessage(Object.fromEntries([['c', 'u'], ['k', 'E'], ['__proto__', 'v']]), parseColumnMap('userId=c,event=k'));
    expect(JSON.stringify(header.properties)).toBe('{"__proto__":"v"}');
    expect(Object.getPrototypeOf(header.properties)).toBe(Object.prototype);
    // Other names the language gives objects are plain property names here.
    const map = parseColumnMap('userId=c,event=k,properties.constructor=a,properties.prototype.x=b');
    expect(rowToMessage({ c: 'u', k: 'E', a: '1', b: '2' }, map).properties).toEqual({ constructor: '1', prototype: { x: '2' } });
  });

  it('reads :number as JSON writes a number, white space around it aside: not another base, a sign, leading zeros or a bare point', () => {
    const map = parseColumnMap('userId=u,event=e,properties.n=n:number');
    for (const [n, v] of [['12', 12], [' 5 ', 5], ['-3.25', -3.25], ['1e3', 1000], ['0.5', 0.5]] as const) expect(rowToMessage({ u: 'u', e: 'E', n }, map).properties, n).toEqual({ n: v });
    for (const n of ['0x10', '0b11', '0o7', '+4', '.5', '1.', '00012', 'Infinity', '1,5', '12abc']) {
      expect(() => rowToMessage({ u: 'u', e: 'E', n }, map), n).toThrow(`the value "${n}" in column "n" is not a number`);
    }
  });
});

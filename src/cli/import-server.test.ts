import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KEYS, get, harness, type Harness } from '../../test/harness.js';
import { testDir } from '../../test/tmp.js';
import { importCommand } from './import.js';

/** `tact import …args` against the harness's server, as a person runs it; what it said on stdout, and its exit status. */
async function run(args: string[]): Promise<{ said: string; code: number }> {
  const said: string[] = [];
  const spies = [process.stdout, process.stderr].map((s) => vi.spyOn(s, 'write').mockImplementation((t) => (said.push(String(t)), true)));
  const program = new Command().exitOverride();
  importCommand(program);
  try {
    await program.parseAsync(['import', ...args, '-k', KEYS.write, '--no-progress'], { from: 'user' });
    return { said: said.join(''), code: Number(process.exitCode ?? 0) };
  } finally {
    spies.forEach((s) => s.mockRestore());
    process.exitCode = undefined;
  }
}

describe('tact import against a running server (Excel\'s CSV: BOM, CRLF, quoted commas and line breaks)', () => {
  let h: Harness;
  let url: string;
  beforeAll(async () => {
    h = await harness('sqlite', { config: { features: [{ name: 'spend', kind: 'sum', event: 'Order Completed', property: 'revenue' }] } });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => h.close());

  it('stores the rows, reports the bad one by its line, exits 2, and stores nothing twice on --restart', async () => {
    const file = join(testDir('tact-import-e2e-'), 'orders.csv');
    writeFileSync(file, '\ufeffcustomer,kind,amount,note\r\n'
      + 'e2e-1,Order Completed,12.5,"gift, wrapped"\r\n'
      + 'e2e-1,Order Completed,7,"two\r\nlines"\r\n'
      + 'e2e-2,Order Completed,"1,5",x\r\n'
      + 'e2e-2,Order Completed,3,"say ""hi"""\r\n');
    const args = [file, '-u', url, '--map', 'userId=customer,event=kind,properties.revenue=amount:number'];
    const first = await run(args);
    expect(first.code).toBe(2);
    expect(first.said).toContain('Imported line 6: 3 messages stored, 1 rejected');
    // The row's text is in the report, written as CSV again (a quoted comma quoted).
    expect(readFileSync(`${file}.rejected.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reason: string }))
      .toEqual([{ line: 5, reason: 'the value "1,5" in column "amount" is not a number (digits, an optional minus, point and exponent, as JSON writes one)', text: 'e2e-2,Order Completed,"1,5",x' }]);
    expect((await get(h.app, '/v1/profiles/e2e-1')).json().features.spend.value).toBe(19.5);
    expect((await get(h.app, '/v1/profiles/e2e-2')).json().features.spend.value).toBe(3);
    const events = await h.store.collect.countEvents();
    const again = await run([...args, '--restart']);
    expect(again.said).toContain('0 messages stored, 3 already stored (sent before: not stored again), 1 rejected');
    expect(await h.store.collect.countEvents()).toBe(events);
  });
});

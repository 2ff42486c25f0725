import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { errorText } from './error-text.js';

const errorOf = (f: () => Promise<unknown>) => f().then(() => undefined, (e: unknown) => e);

describe('what tact prints when a command fails', () => {
  it('says a port is taken, from the real error a second listener gets', async () => {
    const a = createServer();
    await new Promise<void>((r) => a.listen(0, '127.0.0.1', r));
    const port = (a.address() as { port: number }).port;
    const b = createServer();
    const err = await new Promise<unknown>((r) => b.once('error', r).listen(port, '127.0.0.1'));
    a.close();
    expect(errorText(err)).toBe(`Port ${port} is already in use on 127.0.0.1: stop what is using it, or start Tact on another one (--port or PORT).`);
  });

  it('says nothing answers, from the real error of a refused connection (as pg reports an absent server)', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    const err = await errorOf(() => new Promise((_, reject) => connect(port, '127.0.0.1').once('error', reject)));
    expect(errorText(err)).toMatch(new RegExp(`^Nothing answers at 127\\.0\\.0\\.1:${port} \\(connection refused\\): is the server there running\\?`));
  });

  it('says nothing answers when a request to the server is refused, not "fetch failed"', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    const err = await errorOf(() => fetch(`http://127.0.0.1:${port}/v1/decide/batch`));
    expect(errorText(err)).toMatch(new RegExp(`^Nothing answers at 127\\.0\\.0\\.1:${port} \\(connection refused\\)`));
  });

  it('says which address refused when the connection tried several (IPv6 and IPv4)', () => {
    const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}:8787`), { code: 'ECONNREFUSED', address, port: 8787 });
    const err = new TypeError('fetch failed', { cause: Object.assign(new AggregateError([refused('::1'), refused('127.0.0.1')]), { code: 'ECONNREFUSED' }) });
    expect(errorText(err)).toMatch(/^Nothing answers at ::1:8787 \(connection refused\)/);
  });

  it('names the reason of any other failed request', () => {
    const err = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(errorText(err)).toBe('The request failed: other side closed.');
  });

  it('passes every other message through', () => {
    expect(errorText(new Error('There is no model "nope".'))).toBe('There is no model "nope".');
    expect(errorText('plain')).toBe('plain');
  });
});

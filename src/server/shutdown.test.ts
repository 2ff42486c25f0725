import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { harness } from '../../test/harness.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('requests that arrive while the server shuts down', () => {
  it('answer 503 in the error shape, saying to retry, while the one in flight finishes', async () => {
    const h = await harness('sqlite');
    let release!: () => void;
    h.app.get('/slow-for-test', async () => new Promise((resolve) => { release = () => resolve({ ok: true }); }));
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (h.app.server.address() as { port: number }).port;
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => { received += d.toString(); });
    socket.write('GET /slow-for-test HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    // Until the slow request is in its handler (50 ms was not always enough with four test files at a time).
    while (release === undefined) await pause(10);
    const closed = h.app.close();
    await pause(50);
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await pause(50);
    release();
    await closed;
    await pause(50);
    socket.destroy();
    await h.tact.close();
    await h.store.close();
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200/);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 503/);
    const body = JSON.parse(answers[1].slice(answers[1].indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'overloaded', message: expect.stringContaining('retry'), errorId: expect.any(String) });
  });
});

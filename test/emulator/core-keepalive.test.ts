// A kept-alive connection stays open while idle, as Google's front ends keep it (610 s): a client
// that reuses a socket after a few idle seconds gets its answer, not ECONNRESET (Node's own 5 s
// default raced such reuse and made tests flake).
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/index.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => emu.close());

describe('idle kept-alive connections', () => {
  it('answers a second request on the same socket after 6 s of idleness', async () => {
    const socket = connect(emu.port, '127.0.0.1');
    let received = '';
    let closed = false;
    socket.on('data', (d) => (received += d));
    socket.on('close', () => (closed = true));
    const ask = () => socket.write(`GET /_emulator/stats HTTP/1.1\r\nHost: 127.0.0.1:${emu.port}\r\nConnection: keep-alive\r\n\r\n`);
    const answers = () => received.split('HTTP/1.1 200').length - 1;
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    ask();
    await until(() => answers() === 1);
    await new Promise((r) => setTimeout(r, 6_000)); // longer than Node's default keepAliveTimeout (5 s)
    expect(closed).toBe(false);
    ask();
    await until(() => answers() === 2);
    socket.destroy();
  }, 15_000);
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(check()).toBe(true);
}

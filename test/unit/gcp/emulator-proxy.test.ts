import { describe, expect, it } from 'vitest';
import { isLoopback, reachDirectly } from '../../../src/gcp/emulator-proxy.js';

describe('reaching a loopback emulator directly', () => {
  it("adds the emulator's host to NO_PROXY and no_proxy, keeping what was there, once", () => {
    const env: NodeJS.ProcessEnv = { NO_PROXY: '.corp.example, internal.example' };
    reachDirectly(new URL('http://127.0.0.1:8085'), env);
    reachDirectly(new URL('http://127.0.0.1:9000'), env);
    expect(env.NO_PROXY).toBe('.corp.example,internal.example,127.0.0.1');
    expect(env.no_proxy).toBe('127.0.0.1');
  });

  it("leaves a remote emulator to the user's own NO_PROXY", () => {
    const env: NodeJS.ProcessEnv = {};
    reachDirectly(new URL('http://emulator.internal:8085'), env);
    expect(env).toEqual({});
  });

  it('knows the loopback names', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '[::1]'].every(isLoopback)).toBe(true);
    expect(['10.0.0.1', '127.0.0.1.example.com', 'localhost.example.com'].some(isLoopback)).toBe(false);
  });
});

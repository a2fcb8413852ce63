// The Google libraries' bundle takes Headers and FormData from node-fetch 2 and formdata-polyfill
// (src/gcp/fetch-globals.mjs), so that no command loads Node's undici (~15-25 ms on Node 20): every
// request of an apply from empty (creates, long-running operations, IAM policies, a secret's
// version, the buckets' JSON API, an image digest) and of the plan after it goes out and is read as
// before, and undici is never loaded. And the transport's proxy settings leave a loopback emulator
// alone (src/gcp/emulator-proxy.ts).
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli.js';
import { stage } from './harness.js';

const trace = { nodeArgs: ['--require', `${ROOT}test/fixtures/trace-undici.cjs`] };

describe('the emulator behind a proxy setting', () => {
  it('a loopback emulator is reached directly with HTTP_PROXY and HTTPS_PROXY set (to a port nothing listens on)', async () => {
    const s = await stage();
    try {
      const proxy = 'http://127.0.0.1:9';
      const env = { GEMINI_API_KEY: 'proxy-value', HTTP_PROXY: proxy, HTTPS_PROXY: proxy, http_proxy: proxy, https_proxy: proxy, NO_PROXY: '.corp.example' };
      const apply = await s.cli(['apply', '-f', s.dir, '--yes'], { env });
      expect(apply.code, apply.stderr).toBe(0);
      const plan = await s.cli(['plan', '-f', s.dir, '--detailed-exitcode'], { env });
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    } finally {
      await s.close();
    }
  });
});

describe("the libraries' Headers and FormData", () => {
  it('an apply of SessionMUSE from empty and the no-op plan after it never load undici', async () => {
    const s = await stage();
    try {
      const env = { GEMINI_API_KEY: 'fetch-globals-value' };
      const apply = await s.cli(['apply', '-f', s.dir, '--yes'], { ...trace, env });
      expect(apply.code, apply.stderr).toBe(0);
      expect(apply.stderr).toMatch(/Apply complete: \d+ created/);
      expect(apply.stderr).toContain('TRACE undici loaded: no');
      const plan = await s.cli(['plan', '-f', s.dir, '--detailed-exitcode'], { ...trace, env });
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      expect(plan.stderr).toContain('TRACE undici loaded: no');
      // The fixture itself can tell: a process that uses the global Headers loads it.
      const { spawnSync } = await import('node:child_process');
      const probe = spawnSync(process.execPath, [...trace.nodeArgs, '-e', 'new Headers()'], { encoding: 'utf8' });
      expect(probe.stderr).toContain('TRACE undici loaded: yes');
    } finally {
      await s.close();
    }
  });
});

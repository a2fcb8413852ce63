// An emulator on this machine is reached directly, never through a proxy: with HTTP_PROXY or
// HTTPS_PROXY set (a company network), the libraries sent even the loopback emulator's calls to the
// proxy, which cannot reach this machine's loopback, and the command failed with "cannot reach
// Google Cloud". Every library musectl uses (gaxios 6 and 7, teeny-request) skips the proxy for a
// host NO_PROXY names, reading NO_PROXY or else no_proxy; so the emulator's host is added to both,
// for this process only. A remote emulator follows the user's own NO_PROXY.

/** Whether `hostname` (as URL gives it) is this machine's loopback. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Adds a loopback emulator's host to NO_PROXY and no_proxy in `env`; anything else is left alone. */
export function reachDirectly(url: URL, env: NodeJS.ProcessEnv = process.env): void {
  if (!isLoopback(url.hostname)) return;
  for (const name of ['NO_PROXY', 'no_proxy']) {
    const rules = (env[name] ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    if (!rules.includes(url.hostname)) env[name] = [...rules, url.hostname].join(',');
  }
}

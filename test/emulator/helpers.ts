// Shared by the conformance tests: how the official clients are pointed at the emulator
// (../shared/CLIENTS.md), and raw HTTP for what the clients hide.
import { createRequire } from 'node:module';
import type { RunningEmulator } from '../../emulator/index.js';

const require = createRequire(import.meta.url);
// The auth client must come from google-gax's own google-auth-library (CLIENTS.md).
const { googleAuthLibrary } = require('google-gax') as typeof import('google-gax');

export function fixedTokenAuth() {
  const auth = new googleAuthLibrary.OAuth2Client();
  auth.setCredentials({ access_token: 'emulator' });
  return auth;
}

/** Options for a gax client (Run, Secret Manager, Resource Manager, ...) in REST mode. */
export function gaxOptions(emu: RunningEmulator) {
  return { fallback: true as const, protocol: 'http', apiEndpoint: '127.0.0.1', port: emu.port, authClient: fixedTokenAuth() };
}

export async function rawJson(emu: RunningEmulator, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

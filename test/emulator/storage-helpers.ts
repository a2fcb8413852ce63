// Shared by the Cloud Storage conformance tests: the official client pointed at the emulator
// (../shared/CLIENTS.md), raw calls for exact bodies, and the storage error dialect.
import { Storage } from '@google-cloud/storage';
import type { RunningEmulator } from '../../emulator/index.js';
import { rawJson } from './helpers.js';

export function storageClient(emu: RunningEmulator, projectId: string): Storage {
  return new Storage({ apiEndpoint: emu.url, projectId });
}

/** POST /storage/v1/b?project=P */
export function insertBucket(emu: RunningEmulator, project: string, body: Record<string, unknown>, query = '') {
  return rawJson(emu, 'POST', `/storage/v1/b?project=${project}${query}`, body);
}

/** A media upload; `query` adds preconditions and the like. */
export async function uploadMedia(emu: RunningEmulator, bucket: string, name: string, content: string | Buffer, query = '', contentType = 'text/plain') {
  const res = await fetch(`${emu.url}/upload/storage/v1/b/${bucket}/o?uploadType=media&name=${encodeURIComponent(name)}${query}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: content,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The JSON API's error body: errors[{message, domain, reason, ...}], code, message, and no status. */
export function storageErrorBody(code: number, reason: string, message: string, extra: Record<string, unknown> = {}) {
  return { error: { code, message, errors: [{ message, domain: 'global', reason, ...extra }] } };
}

export const INVALID_ARGUMENT = storageErrorBody(400, 'invalid', 'Invalid argument.');
export const PRECONDITION_FAILED = storageErrorBody(412, 'conditionNotMet', 'Precondition Failed', { locationType: 'header', location: 'If-Match' });
export const OBJECT_PRECONDITION_FAILED = storageErrorBody(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.', {
  locationType: 'header',
  location: 'If-Match',
});
export const BUCKET_NOT_FOUND = storageErrorBody(404, 'notFound', 'The specified bucket does not exist.');

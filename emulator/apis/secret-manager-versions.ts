// Secret Manager v1: secret versions (gcp-api-facts.md §5). addVersion stores a payload (at most
// 64 KiB, CRC32C-checked when the client sends one), versions are numbered from 1, `latest` is the
// newest version whatever its state, and only an ENABLED version can be accessed. Destroying a
// version wipes its payload from the state.

import { crc32c } from '../checksums.js';
import { decode } from '../codecs.js';
import type { Emulator } from '../emulator.js';
import { ApiError, failedPrecondition, invalidArgument } from '../errors.js';
import { registerRpcs } from '../proto-routes.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { paginate, wire } from './common.js';
import { compileFilter } from './secret-manager-filter.js';
import {
  checkEtag,
  newSecretEtag,
  numberedVersion,
  replicationStatusFor,
  resolveVersion,
  SM,
  type StoredVersion,
  secretFor,
  secretForVersions,
  type VersionState,
} from './secret-manager-store.js';

/** SecretPayload.data: "Must be no larger than 64KiB" (resources.proto). */
const MAX_PAYLOAD_BYTES = 65_536;

export function registerSecretVersions(emu: Emulator): void {
  registerRpcs(emu, '@google-cloud/secret-manager', `${SM}.SecretManagerService`, {
    AddSecretVersion: addVersion,
    ListSecretVersions: listVersions,
    GetSecretVersion: (req) => {
      const secret = secretForVersions(req, 'secretmanager.read');
      return wire(req, `${SM}.SecretVersion`, resolveVersion(secret, req.params.version).resource);
    },
    AccessSecretVersion: accessVersion,
    EnableSecretVersion: (req) => changeState(req, 'ENABLED', `${SM}.EnableSecretVersionRequest`),
    DisableSecretVersion: (req) => changeState(req, 'DISABLED', `${SM}.DisableSecretVersionRequest`),
    DestroySecretVersion: (req) => changeState(req, 'DESTROYED', `${SM}.DestroySecretVersionRequest`),
  });
}

function addVersion(req: EmuRequest): EmuResponse {
  const secret = secretFor(req, 'secretmanager.write');
  const body = decode(`${SM}.AddSecretVersionRequest`, req.body ?? {}, '');
  // "Field [payload] is required." is what Terraform users saw from the real API.
  if (!body.payload) throw invalidArgument('Field [payload] is required.', 'payload');
  const bytes = decodePayload(body.payload.data);
  // The three refusals below never quote the payload: a secret value goes into no error message.
  if (bytes.length === 0) throw invalidArgument('Secret Payload cannot be empty', 'payload.data');
  if (bytes.length > MAX_PAYLOAD_BYTES) {
    throw invalidArgument(`Secret Payload cannot be larger than ${MAX_PAYLOAD_BYTES} bytes.`, 'payload.data'); // [G] wording
  }
  const checksum = crc32c(bytes);
  const sentChecksum = body.payload.dataCrc32c;
  if (sentChecksum !== undefined && Number(sentChecksum) !== checksum) {
    throw invalidArgument('Provided SecretPayload.data crc32c does not match calculated crc32c.', 'payload.data_crc32c'); // [G] wording
  }

  const number = secret.nextVersion++;
  const resource: StoredVersion['resource'] = {
    name: `${secret.resource.name}/versions/${number}`,
    createTime: req.emu.clock.iso(),
    state: 'ENABLED',
    replicationStatus: replicationStatusFor(secret.resource.replication),
    etag: newSecretEtag(req.emu),
    // Tells the client the server received and verified its checksum (data-integrity guide).
    clientSpecifiedPayloadChecksum: sentChecksum !== undefined,
  };
  secret.versions[String(number)] = { resource, data: bytes.toString('base64'), crc32c: String(checksum) };
  return wire(req, `${SM}.SecretVersion`, resource);
}

/** Proto3 JSON bytes: standard or URL-safe base64. Never echoes the value back. */
function decodePayload(data: unknown): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(data)) {
    throw invalidArgument("Invalid value at 'payload.data' (TYPE_BYTES), Base64 decoding failed.", 'payload.data');
  }
  return Buffer.from(data, 'base64');
}

const VERSION_FILTER_FIELDS = /^(name|state|create_time|createTime)$/;

function listVersions(req: EmuRequest): EmuResponse {
  const secret = secretFor(req, 'secretmanager.read');
  const matches = compileFilter(req.query.get('filter'), VERSION_FILTER_FIELDS);
  // Newest first, as gcloud and the console show them.
  const versions = Object.entries(secret.versions)
    .sort(([a], [b]) => Number(b) - Number(a))
    .map(([, v]) => v.resource)
    .filter((v) => matches((field) => (v as Record<string, unknown>)[field] as string | undefined));
  const { page, nextPageToken } = paginate(versions, req.query, { defaultSize: 25_000, maxSize: 25_000 });
  return wire(req, `${SM}.ListSecretVersionsResponse`, { versions: page, nextPageToken, totalSize: versions.length });
}

function accessVersion(req: EmuRequest): EmuResponse {
  const secret = secretForVersions(req, 'secretmanager.access');
  const version = resolveVersion(secret, req.params.version);
  const { name, state } = version.resource;
  // The message names the resolved number even when 'latest' was asked (users quote these).
  if (state !== 'ENABLED') throw failedPrecondition(`Secret Version [${name}] is in ${state} state.`);
  return wire(req, `${SM}.AccessSecretVersionResponse`, {
    name,
    payload: { data: version.data, dataCrc32c: version.crc32c },
  });
}

function changeState(req: EmuRequest, target: VersionState, requestType: string): EmuResponse {
  const secret = secretForVersions(req, 'secretmanager.write');
  const version = numberedVersion(secret, req.params.version);
  const body = decode(requestType, req.body ?? {}, '');
  checkEtag(body.etag, version.resource.etag);
  // DESTROYED is final: the payload is gone. [G: wording]
  if (version.resource.state === 'DESTROYED') throw new ApiError(400, 'SecretVersion.state is already DESTROYED', 'FAILED_PRECONDITION');
  version.resource.state = target;
  if (target === 'DESTROYED') {
    version.resource.destroyTime = req.emu.clock.iso();
    delete version.data;
    delete version.crc32c;
  }
  version.resource.etag = newSecretEtag(req.emu); // every change moves the version's etag, not the secret's
  return wire(req, `${SM}.SecretVersion`, version.resource);
}

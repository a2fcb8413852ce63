// A state store under a Cloud Storage prefix (gs://BUCKET/PREFIX). Generation preconditions do the
// compare-and-set: ifGenerationMatch=0 creates only when absent, a stale generation answers 412.

import { UserError } from '../errors.js';
import type { ApiCaller } from '../gcp/api-call.js';
import type { ClientFactory } from '../gcp/clients.js';
import { httpStatus, isNotFound } from '../gcp/errors.js';
import { PreconditionFailed, type StateStore, type StoredObject } from './store.js';

export function parseGcsUrl(url: string): { bucket: string; prefix: string } {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) throw new UserError(`--state ${url}: expected gs://BUCKET/PREFIX or a directory`);
  const prefix = (m[2] ?? '').replace(/\/+$/, '');
  return { bucket: m[1], prefix: prefix ? `${prefix}/` : '' };
}

export class GcsStateStore implements StateStore {
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    url: string,
    private readonly clients: ClientFactory,
    private readonly api: ApiCaller,
  ) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseGcsUrl(url));
  }

  describe(): string {
    return `gs://${this.bucket}/${this.prefix}`;
  }

  private file(key: string) {
    return this.clients.storage().bucket(this.bucket).file(`${this.prefix}${key}`);
  }

  async read(key: string): Promise<StoredObject | undefined> {
    const what = `read ${this.describe()}${key}`;
    try {
      // The content and its generation come from two calls: they belong together only if the
      // generation is the same before and after the download.
      for (;;) {
        const [before] = await this.api.call({ quota: 'storage.objects', scope: this.bucket, what }, () => this.file(key).getMetadata());
        const [data] = await this.api.call({ quota: 'storage.objects', scope: this.bucket, what }, () => this.file(key).download());
        const [after] = await this.api.call({ quota: 'storage.objects', scope: this.bucket, what }, () => this.file(key).getMetadata());
        if (String(before.generation) === String(after.generation)) return { data, generation: String(after.generation) };
      }
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async write(key: string, data: Buffer, ifGeneration: string): Promise<string> {
    const file = this.file(key);
    try {
      await this.api.call({ quota: 'storage.objects', scope: this.bucket, what: `write ${this.describe()}${key}` }, () =>
        file.save(data, { resumable: false, contentType: 'application/json', preconditionOpts: { ifGenerationMatch: Number(ifGeneration) } }),
      );
    } catch (err) {
      if (httpStatus(err) === 412) throw new PreconditionFailed(key);
      throw err;
    }
    // The upload's answer is the new object: its generation is the one we wrote.
    return String(file.metadata.generation);
  }

  async delete(key: string, ifGeneration: string): Promise<void> {
    try {
      await this.api.call({ quota: 'storage.objects', scope: this.bucket, what: `delete ${this.describe()}${key}` }, () =>
        this.file(key).delete({ ifGenerationMatch: Number(ifGeneration) }),
      );
    } catch (err) {
      if (isNotFound(err)) return;
      if (httpStatus(err) === 412) throw new PreconditionFailed(key);
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const [files] = await this.api.call({ quota: 'storage.objects', scope: this.bucket, what: `list ${this.describe()}${prefix}*` }, () =>
      this.clients
        .storage()
        .bucket(this.bucket)
        .getFiles({ prefix: `${this.prefix}${prefix}`, autoPaginate: true }),
    );
    return files.map((f) => f.name.slice(this.prefix.length)).sort();
  }
}

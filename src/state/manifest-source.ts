// Where a watched stack's manifests come from: a directory baked into the image, or
// gs://BUCKET/PREFIX/ where CI uploads them. A new generation of any object is picked up on the
// next cycle, without a redeploy.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ApiCaller } from '../gcp/api-call.js';
import type { ClientFactory } from '../gcp/clients.js';
import { discoverFiles, readManifestText } from '../manifest/load.js';
import { parseGcsUrl } from './gcs-store.js';

export interface ManifestSource {
  describe(): string;
  /** The local directory to read this cycle, and whether its content changed since the last one. */
  sync(): Promise<{ dir: string; changed: boolean }>;
  close(): void;
}

export class DirectorySource implements ManifestSource {
  /** A digest of the manifests' paths and texts as of the last sync. */
  private seen?: string;

  constructor(private readonly dir: string) {}
  describe(): string {
    return this.dir;
  }
  /** Changed: the manifests found, or their text, are not those of the last sync (the first sync: changed, as from a bucket). */
  async sync() {
    const digest = createHash('sha256');
    for (const file of discoverFiles([this.dir]).files) {
      // Read as the load reads it (regular files only, within the size limit); its errors are the load's to report.
      digest.update(`${file}\0${readManifestText(file).text ?? '(unreadable)'}\0`);
    }
    const now = digest.digest('hex');
    const changed = now !== this.seen;
    this.seen = now;
    return { dir: this.dir, changed };
  }
  close(): void {}
}

export class GcsSource implements ManifestSource {
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly dir = mkdtempSync(join(tmpdir(), 'musectl-watch-'));
  private generations = new Map<string, string>();

  constructor(
    private readonly url: string,
    private readonly clients: ClientFactory,
    private readonly api: ApiCaller,
  ) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseGcsUrl(url.replace(/\/+$/, '')));
  }

  describe(): string {
    return this.url;
  }

  async sync(): Promise<{ dir: string; changed: boolean }> {
    const bucket = this.clients.storage().bucket(this.bucket);
    const [files] = await this.api.call({ quota: 'storage.objects', scope: this.bucket, what: `list ${this.url}` }, () =>
      bucket.getFiles({ prefix: this.prefix }),
    );
    const wanted = files.filter((f) => /\.ya?ml$/i.test(f.name));
    const now = new Map(wanted.map((f) => [f.name, String(f.metadata.generation)]));
    let changed = now.size !== this.generations.size;
    for (const f of wanted) {
      if (this.generations.get(f.name) === now.get(f.name)) continue;
      changed = true;
      // Fetch exactly the generation that was listed, so a file is never half old, half new.
      const [data] = await this.api.call({ quota: 'storage.objects', scope: this.bucket, what: `read gs://${this.bucket}/${f.name}` }, () =>
        bucket.file(f.name, { generation: Number(now.get(f.name)) }).download(),
      );
      const local = join(this.dir, f.name.slice(this.prefix.length));
      mkdirSync(dirname(local), { recursive: true });
      writeFileSync(local, data);
    }
    for (const name of this.generations.keys()) {
      if (!now.has(name)) rmSync(join(this.dir, name.slice(this.prefix.length)), { force: true });
    }
    this.generations = now;
    return { dir: this.dir, changed };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

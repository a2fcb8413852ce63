// Every API request the emulator answered, in order of arrival, with its body: tests read it to
// check dependency order and that a secret value went nowhere but its addVersion call.

import type { Clock } from './clock.js';

export interface LoggedRequest {
  seq: number;
  method: string;
  path: string;
  route: string;
  status: number;
  start: number;
  end: number;
  body: string;
}

const MAX_BODY = 65_536;

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  constructor(
    private readonly capacity: number,
    private readonly clock: Clock,
  ) {}

  begin(method: string, path: string, body: Buffer): LoggedRequest {
    const entry: LoggedRequest = {
      seq: ++this.seq,
      method,
      path,
      route: '',
      status: 0,
      start: this.clock.now(),
      end: 0,
      body: body.subarray(0, MAX_BODY).toString('utf8'),
    };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return entry;
  }

  /** Marks a request answered now with `status` (-1: the connection was dropped). */
  end(entry: LoggedRequest, status: number): void {
    entry.status = status;
    entry.end = this.clock.now();
  }

  since(seq = 0): LoggedRequest[] {
    return this.entries.filter((e) => e.seq > seq);
  }

  clear(): void {
    this.entries = [];
  }
}

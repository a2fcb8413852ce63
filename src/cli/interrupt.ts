// Signals during a command that writes: finish what is in flight, then stop.
import type { Output } from './output.js';

/**
 * SIGINT and SIGTERM during apply and destroy: the actions in flight finish, nothing new starts,
 * the inventory is recorded and the lock released, and the exit status says which signal (130,
 * 143). A second signal ends the process at once (the lock then expires by itself).
 */
export class Interrupt {
  signal?: NodeJS.Signals;
  private readonly handlers = new Map<NodeJS.Signals, () => void>();

  constructor(private readonly out: Output) {}

  listen(): void {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const handler = () => {
        if (this.signal) {
          this.out.err(`${sig} again: stopping now; the stack's lock expires by itself within a minute.\n`);
          process.exit(sig === 'SIGINT' ? 130 : 143);
        }
        this.signal = sig;
        this.out.err(
          this.out.color.yellow(
            `${sig}: finishing the changes in flight, then stopping (${sig === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to stop at once)...\n`,
          ),
        );
      };
      this.handlers.set(sig, handler);
      process.on(sig, handler);
    }
  }

  stop(): void {
    for (const [sig, handler] of this.handlers) process.off(sig, handler);
  }

  exitCode(): number {
    return this.signal === 'SIGINT' ? 130 : 143;
  }

  beforeAnyChange(): number {
    this.out.err(`Interrupted (${this.signal}) before any change; the lock is released.\n`);
    return this.exitCode();
  }
}

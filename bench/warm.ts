// A no-op plan in a process that has already made one (modules loaded, code warm), as a
// long-running musectl (the watcher) makes its plans: what is left once start-up is paid. As the
// watcher does, every plan shares one set of clients (SessionOptions.clients), under its V8 flags.
// Run by run.ts as a child process, node started as the watcher's image starts it (WATCHER_NODE_FLAGS,
// src/v8-flags.ts): node FLAGS dist/bench/warm.js DIR PROJECT STATE EMULATOR_URL RUNS
// Prints one JSON line per run: {"ms": wall, "calls": API calls the engine made, "changes": n}.
import { allControllers } from '../controllers/index.js';
import { observeAndPlan, openSession } from '../src/engine/session.js';
import { ClientFactory } from '../src/gcp/clients.js';
import { createLogger } from '../src/log.js';
import { applyStartFlags } from '../src/v8-flags.js';

const [dir, project, state, url, runs = '3'] = process.argv.slice(2);
// The V8 flags the bin sets for the watcher (src/v8-flags.ts), before the libraries' bundle is compiled.
applyStartFlags(['watch'], process.execArgv);
const target = { kind: 'emulator', project, url: new URL(url) } as const;
const log = createLogger('silent');
const clients = new ClientFactory(target);

for (let i = 0; i < Number(runs); i++) {
  const t0 = performance.now();
  const session = await openSession({ controllers: allControllers(), paths: [dir], variables: {}, target, log, state, clients });
  const { exec } = await observeAndPlan(session);
  const ms = performance.now() - t0;
  const changes = exec.plan.actions.filter((a) => a.action !== 'noop').length;
  process.stdout.write(`${JSON.stringify({ ms, calls: session.ctx.api.calls, changes })}\n`);
  await session.close();
}
await clients.close();

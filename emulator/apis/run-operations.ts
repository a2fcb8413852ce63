// google.longrunning.Operations as Cloud Run v2 serves them, under /v2/projects/P/locations/L/operations
// (the httpRules the Run clients give gax in REST mode): get, list, delete and :wait. Services and
// jobs share them. Operations settle on the emulator's clock (see operations.ts).

import { decode } from '../codecs.js';
import type { Emulator } from '../emulator.js';
import { notFound } from '../errors.js';
import { renderOperation, type StoredOperation } from '../operations.js';
import type { EmuRequest } from '../router.js';
import { paginate } from './common.js';
import { durationSeconds, runOperations, runScope } from './run-common.js';

/** :wait without a timeout still returns after this long, so a client never hangs on a socket. */
const MAX_WAIT_MS = 60_000;

export function registerRunOperations(emu: Emulator): void {
  const base = '/v2/projects/{project}/locations/{location}/operations';

  emu.router.get(`${base}/{operation}`, (req) => ({ body: renderOperation(find(req), req.enumInt) }));

  emu.router.get(base, (req) => {
    const scope = runScope(req, 'run.read');
    const ops = runOperations(emu)
      .list(scope.parent)
      .map((op) => runOperations(emu).get(op.name)!);
    const { page, nextPageToken } = paginate(ops, req.query);
    const body: Record<string, unknown> = {};
    if (page.length) body.operations = page.map((op) => renderOperation(op, req.enumInt));
    if (nextPageToken) body.nextPageToken = nextPageToken;
    return { body };
  });

  emu.router.delete(`${base}/{operation}`, (req) => {
    const op = find(req);
    runOperations(emu).delete(op.name);
    return { body: {} };
  });

  // Waits until the operation is done or the request's timeout passes (on the emulator's clock), then answers it as it is.
  emu.router.post(`${base}/{operation}:wait`, async (req) => {
    const op = find(req);
    const body = decode('google.longrunning.WaitOperationRequest', req.body ?? {}, '');
    const requested = body.timeout ? durationSeconds(body.timeout) * 1000 : MAX_WAIT_MS;
    await emu.operations.waitFor(op.name, Math.min(Number.isFinite(requested) ? requested : MAX_WAIT_MS, MAX_WAIT_MS));
    return { body: renderOperation(runOperations(emu).get(op.name) ?? op, req.enumInt) };
  });
}

function find(req: EmuRequest): StoredOperation {
  const scope = runScope(req, 'run.read');
  const name = `${scope.parent}/operations/${req.params.operation}`;
  const op = runOperations(req.emu).get(name);
  if (!op) throw notFound(`Operation '${name}' not found.`); // [G] wording
  return op;
}

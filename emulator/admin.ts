// The emulator's own routes under /_emulator/ (not Google's): counters, the request log, the state,
// reset, and the test hooks that move the clock and hold long-running operations in progress.
import { seedImages } from './apis/artifact-registry-seed.js';
import type { Emulator } from './emulator.js';

export interface AdminAnswer {
  status: number;
  body: unknown;
}

type AdminHandler = (emu: Emulator, url: URL, body: Record<string, unknown>) => unknown;

const ROUTES: Record<string, AdminHandler> = {
  'GET /_emulator/stats': (emu) => emu.stats,
  'GET /_emulator/requests': (emu, url) => ({ requests: emu.log.since(Number(url.searchParams.get('since') ?? 0)) }),
  'GET /_emulator/state': (emu) => emu.store.state,
  'POST /_emulator/reset': (emu) => {
    emu.reset();
    return {};
  },
  'GET /_emulator/clock': (emu) => ({ now: emu.clock.iso() }),
  // {"seconds": N}: timers and operations that come due fire, in order.
  'POST /_emulator/clock/advance': (emu, _url, body) => {
    const seconds = Number(body.seconds);
    if (!Number.isFinite(seconds) || seconds < 0) throw new AdminError('clock/advance takes {"seconds": N} with N >= 0');
    emu.clock.advance(seconds * 1000);
    if (emu.operations.settleDue()) emu.store.persist();
    return { now: emu.clock.iso() };
  },
  // {"match": "run.service.rollout"}: operations started from now on whose name or kind contains
  // the text (all of them without one) stay in progress until released.
  'POST /_emulator/operations/hold': (emu, _url, body) => {
    if (body.match !== undefined && typeof body.match !== 'string') throw new AdminError('operations/hold takes {"match": TEXT}');
    emu.operations.hold((body.match as string | undefined) ?? '');
    return {};
  },
  // {"name": OPERATION} releases one; {} releases all and ends every hold.
  'POST /_emulator/operations/release': (emu, _url, body) => {
    if (body.name !== undefined && typeof body.name !== 'string') throw new AdminError('operations/release takes {"name": OPERATION}');
    const released = emu.operations.release(body.name as string | undefined);
    emu.store.persist();
    return { released };
  },
  'GET /_emulator/operations/held': (emu) => ({ held: emu.operations.heldNames() }),
  // {"images": ["L-docker.pkg.dev/P/R/IMAGE:TAG", ...]}: stand-in images, pushed now or when their
  // repository is created (artifact-registry-seed.ts).
  'POST /_emulator/images': (emu, _url, body) => {
    const images = body.images;
    if (!Array.isArray(images) || !images.every((i) => typeof i === 'string'))
      throw new AdminError('images takes {"images": ["HOST/PROJECT/REPO/IMAGE:TAG", ...]}');
    const result = seedImages(emu, images);
    if (result.invalid.length > 0) {
      throw new AdminError(`not an Artifact Registry image by tag (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE[:TAG]): ${result.invalid.join(', ')}`);
    }
    return result;
  },
};

class AdminError extends Error {}

export function adminRoute(emu: Emulator, line: string, url: URL, raw: Buffer): AdminAnswer {
  const handler = ROUTES[line];
  if (!handler) return { status: 404, body: { error: { code: 404, message: `No emulator admin route ${line}.`, status: 'NOT_FOUND' } } };
  try {
    return { status: 200, body: handler(emu, url, parseBody(raw)) };
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    return { status: 400, body: { error: { code: 400, message: err.message, status: 'INVALID_ARGUMENT' } } };
  }
}

function parseBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AdminError('the body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AdminError('the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

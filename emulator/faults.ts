// Seeded fault injection. The decision for a request depends only on the seed, the request line
// (method and path) and how many times that same request line has been seen, never on the order in
// which concurrent requests happen to arrive, so a failing run repeats exactly with the same seed.

export interface FaultRates {
  /** Probability (0..1) of each fault per request. */
  r429?: number;
  r500?: number;
  r503?: number;
  /** Connection dropped without an answer (half of them after the request took effect). */
  drop?: number;
  seed?: number;
}

export type FaultDecision = { kind: 'none' } | { kind: 'status'; code: 429 | 500 | 503 } | { kind: 'drop'; afterEffect: boolean };

/** Parses "429=0.1,503=0.1,500=0.05,drop=0.01,seed=7". */
export function parseFaults(spec: string): FaultRates {
  const rates: FaultRates = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value] = part.split('=');
    const n = Number(value);
    if (value === undefined || Number.isNaN(n)) throw new Error(`--faults: "${part}" is not KEY=NUMBER`);
    switch (key) {
      case '429':
        rates.r429 = n;
        break;
      case '500':
        rates.r500 = n;
        break;
      case '503':
        rates.r503 = n;
        break;
      case 'drop':
        rates.drop = n;
        break;
      case 'seed':
        rates.seed = n;
        break;
      default:
        throw new Error(`--faults: unknown key "${key}" (expected 429, 500, 503, drop, seed)`);
    }
    if (key !== 'seed' && (n < 0 || n > 1)) throw new Error(`--faults: rate ${key}=${value} must be between 0 and 1`);
  }
  return rates;
}

export class FaultInjector {
  private readonly seen = new Map<string, number>();

  constructor(private readonly rates: FaultRates) {}

  get active(): boolean {
    const r = this.rates;
    return Boolean(r.r429 || r.r500 || r.r503 || r.drop);
  }

  decide(method: string, path: string): FaultDecision {
    if (!this.active) return { kind: 'none' };
    const key = `${method} ${path}`;
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    const rand = mulberry32(hash(`${this.rates.seed ?? 0}|${key}|${n}`));
    const x = rand();
    let edge = 0;
    const r = this.rates;
    if (x < (edge += r.r429 ?? 0)) return { kind: 'status', code: 429 };
    if (x < (edge += r.r500 ?? 0)) return { kind: 'status', code: 500 };
    if (x < (edge += r.r503 ?? 0)) return { kind: 'status', code: 503 };
    if (x < (edge += r.drop ?? 0)) return { kind: 'drop', afterEffect: rand() < 0.5 };
    return { kind: 'none' };
  }

  reset(): void {
    this.seen.clear();
  }
}

/** FNV-1a, 32 bit. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

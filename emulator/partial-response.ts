// The `fields` parameter every Google REST API takes ("Partial response" in each API's performance
// guide): `fields=kind,items(name,size),nextPageToken` keeps only those fields of the answer;
// `a/b` selects b inside a; `a(b,c)` selects b and c inside a (inside each element of a list);
// `*` keeps everything at its level. An unparsable selector is a 400.
import { ApiError } from './errors.js';

type Selection = Map<string, Selection | true>;

export function parseFields(spec: string): Selection {
  let i = 0;
  const fail = (): never => {
    throw new ApiError(400, `Invalid field selection ${spec}`, 'INVALID_ARGUMENT');
  };
  const list = (closing: string | undefined): Selection => {
    const out: Selection = new Map();
    for (;;) {
      const start = i;
      while (i < spec.length && !',()/'.includes(spec[i])) i++;
      const name = spec.slice(start, i).trim();
      if (!name) fail();
      let node: Selection | true = true;
      if (spec[i] === '/') {
        i++;
        const inner = path();
        node = inner;
      } else if (spec[i] === '(') {
        i++;
        node = list(')');
        if (spec[i] !== ')') fail();
        i++;
      }
      merge(out, name, node);
      if (spec[i] === ',') {
        i++;
        continue;
      }
      if (closing ? spec[i] === closing : i === spec.length) return out;
      fail();
    }
  };
  // a/b/c(d): one field per level, ending in a plain field or a group.
  const path = (): Selection => {
    const start = i;
    while (i < spec.length && !',()/'.includes(spec[i])) i++;
    const name = spec.slice(start, i).trim();
    if (!name) fail();
    let node: Selection | true = true;
    if (spec[i] === '/') {
      i++;
      node = path();
    } else if (spec[i] === '(') {
      i++;
      node = list(')');
      if (spec[i] !== ')') fail();
      i++;
    }
    return new Map([[name, node]]);
  };
  return list(undefined);
}

function merge(into: Selection, name: string, node: Selection | true): void {
  const existing = into.get(name);
  if (existing === true || node === true || !existing) {
    into.set(name, existing === true || node === true ? true : node);
    return;
  }
  for (const [k, v] of node) merge(existing, k, v);
}

/** The parts of `value` that `selection` names. */
export function applyFields(value: unknown, selection: Selection): unknown {
  if (Array.isArray(value)) return value.map((v) => applyFields(v, selection));
  if (!value || typeof value !== 'object') return value;
  if (selection.has('*')) return value;
  const out: Record<string, unknown> = {};
  for (const [name, sub] of selection) {
    const v = (value as Record<string, unknown>)[name];
    if (v === undefined) continue;
    out[name] = sub === true ? v : applyFields(v, sub);
  }
  return out;
}

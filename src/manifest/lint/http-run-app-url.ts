// Cloud Run serves HTTPS only: an http:// request to a run.app host gets a redirect to https://,
// and clients follow it with a GET, so a POST arrives without its body (or fails outright).
import type { Diagnostic } from '../diagnostics.js';
import { locate, type Path } from '../document.js';
import { isRunAppHost, type LintRule, urlsIn, warning } from './rule.js';

const ID = 'http-run-app-url';

/** Every string in a manifest (metadata included), with its path. */
function* strings(value: unknown, path: Path): Generator<{ value: string; path: Path }> {
  if (typeof value === 'string') yield { value, path };
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, [...path, i]);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* strings(v, [...path, k]);
}

export const httpRunAppUrl: LintRule = {
  id: ID,
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const r of ctx.resources) {
      // The document as written (after variables), not the spec with defaults: defaults hold no URLs
      // and every path here exists in the YAML.
      for (const s of strings(r.doc.value, [])) {
        const host = urlsIn(s.value).find((u) => u.scheme === 'http' && isRunAppHost(u.host))?.host;
        if (host === undefined) continue;
        out.push(
          warning(
            r,
            ID,
            locate(r.doc, s.path),
            `http://${host} is a plain-HTTP run.app URL: Cloud Run serves HTTPS only and redirects http://, which drops POST bodies; use https://${host}`,
          ),
        );
      }
    }
    return out;
  },
};

// Next.js replaces process.env.NEXT_PUBLIC_* in client code with the values present at `next build`.
// A NEXT_PUBLIC_ variable set on the Cloud Run service exists only at run time, so only server code
// sees it; the browser keeps whatever was baked into the image (often empty or a developer's URL).
import type { Diagnostic } from '../diagnostics.js';
import { locate } from '../document.js';
import { envVars, type LintRule, warning } from './rule.js';

const ID = 'next-public-on-runtime';

export const nextPublicOnRuntime: LintRule = {
  id: ID,
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const s of ctx.ofKind('CloudRunService')) {
      for (const env of envVars(s)) {
        if (!env.name.startsWith('NEXT_PUBLIC_')) continue;
        out.push(
          warning(
            s,
            ID,
            locate(s.doc, [...env.path, 'name']),
            `${env.name}: Next.js inlines NEXT_PUBLIC_ variables into the browser bundle at build time, so this runtime value reaches only server code and the browser keeps the build-time value; ` +
              'pass it as a build argument when building the image, and keep it here only if server code reads it',
          ),
        );
      }
    }
    return out;
  },
};

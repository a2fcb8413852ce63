// Cloud Run sends a container's probes to a port; left out, that is the port the container serves
// (ports[0].containerPort). A probe that names another port of a container that serves one checks
// something no request reaches: when nothing listens there, the probe fails and the revision never
// becomes ready (startup) or its instances restart (liveness). Usually a leftover of a port change.
import type { Diagnostic } from '../diagnostics.js';
import { locate } from '../document.js';
import { type LintRule, warning } from './rule.js';

const ID = 'probe-port-not-served';
const PROBES = ['startupProbe', 'livenessProbe', 'readinessProbe'] as const;
const TYPES = ['httpGet', 'tcpSocket', 'grpc'] as const;

export const probePortNotServed: LintRule = {
  id: ID,
  check(ctx) {
    const out: Diagnostic[] = [];
    for (const s of ctx.ofKind('CloudRunService')) {
      const containers: Array<Record<string, any>> = s.spec.template?.containers ?? [];
      containers.forEach((c, i) => {
        // The ports a manifest wrote (a sidecar gets none: its probes name the port it listens on).
        const written = (s.doc.value as any)?.spec?.template?.containers?.[i]?.ports;
        const served: number | undefined =
          Array.isArray(written) && written.length > 0 ? c.ports?.[0]?.containerPort : containers.length === 1 ? c.ports?.[0]?.containerPort : undefined;
        if (served === undefined) return;
        for (const kind of PROBES) {
          for (const type of TYPES) {
            const port = c[kind]?.[type]?.port;
            if (typeof port !== 'number' || port === served) continue;
            out.push(
              warning(
                s,
                ID,
                locate(s.doc, ['spec', 'template', 'containers', i, kind, type, 'port']),
                `${kind} checks port ${port}, but the container serves ${served} (ports[0].containerPort): unless the container also listens on ${port}, the probe fails and the ${kind === 'livenessProbe' ? 'instances restart' : 'revision never becomes ready'}; leave the port out to check the serving port`,
              ),
            );
          }
        }
      });
    }
    return out;
  },
};

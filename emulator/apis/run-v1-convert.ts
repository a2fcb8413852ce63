// Cloud Run resources as the Knative-style Admin API v1 shows them (serving.knative.dev/v1 Service
// and Revision, run.googleapis.com/v1 Job and Execution: the discovery document behind
// @googleapis/run v1, which gcloud run reads), made from the same state the v2 API keeps. Read-only:
// what `gcloud run services list/describe`, `revisions list`, `jobs list` and `executions list` show.

const KNATIVE = 'serving.knative.dev/v1';
const RUN_V1 = 'run.googleapis.com/v1';

/** Knative condition status from a v2 condition state. */
function status(state: string | undefined): string {
  return state === 'CONDITION_SUCCEEDED' ? 'True' : state === 'CONDITION_FAILED' ? 'False' : 'Unknown';
}

function condition(c: Record<string, any> | undefined, type = c?.type): Record<string, unknown> | undefined {
  if (!c) return undefined;
  return {
    type,
    status: status(c.state),
    ...(c.message ? { message: c.message } : {}),
    ...(c.reason ? { reason: c.reason } : {}),
    lastTransitionTime: c.lastTransitionTime,
  };
}

const seconds = (duration: string | undefined): number | undefined => (duration ? Math.round(Number.parseFloat(duration)) : undefined);
const ingressAnnotation: Record<string, string> = {
  INGRESS_TRAFFIC_ALL: 'all',
  INGRESS_TRAFFIC_INTERNAL_ONLY: 'internal',
  INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER: 'internal-and-cloud-load-balancing',
};

function containers(list: any[] | undefined): any[] {
  return (list ?? []).map((c) => ({
    ...(c.name ? { name: c.name } : {}),
    image: c.image,
    ...(c.command?.length ? { command: c.command } : {}),
    ...(c.args?.length ? { args: c.args } : {}),
    ...(c.env?.length
      ? {
          env: c.env.map((e: any) =>
            e.valueSource?.secretKeyRef
              ? { name: e.name, valueFrom: { secretKeyRef: { name: e.valueSource.secretKeyRef.secret, key: e.valueSource.secretKeyRef.version ?? 'latest' } } }
              : { name: e.name, value: e.value ?? '' },
          ),
        }
      : {}),
    ...(c.ports?.length ? { ports: c.ports.map((p: any) => ({ name: p.name, containerPort: p.containerPort })) } : {}),
    resources: { limits: c.resources?.limits ?? {} },
  }));
}

function metadata(
  name: string,
  namespace: string,
  region: string,
  r: Record<string, any>,
  selfLink: string,
  extraLabels: Record<string, string> = {},
): Record<string, unknown> {
  return {
    name,
    namespace,
    selfLink,
    uid: r.uid,
    resourceVersion: String(r.etag ?? '').replace(/"/g, ''),
    generation: Number(r.generation ?? 1),
    creationTimestamp: r.createTime,
    labels: { ...(r.labels ?? {}), ...extraLabels, 'cloud.googleapis.com/location': region },
    annotations: {
      ...(r.annotations ?? {}),
      ...(r.creator ? { 'serving.knative.dev/creator': r.creator } : {}),
      ...(r.lastModifier ? { 'serving.knative.dev/lastModifier': r.lastModifier } : {}),
    },
  };
}

export interface Place {
  projectNumber: string;
  region: string;
}

export function knativeService(s: Record<string, any>, at: Place): Record<string, unknown> {
  const id = s.name.split('/').pop();
  const t = s.template ?? {};
  const short = (rev: string | undefined) => rev?.split('/').pop();
  const meta = metadata(id, at.projectNumber, at.region, s, `/apis/${KNATIVE}/namespaces/${at.projectNumber}/services/${id}`);
  (meta.annotations as Record<string, string>)['run.googleapis.com/ingress'] = ingressAnnotation[s.ingress] ?? 'all';
  (meta.annotations as Record<string, string>)['run.googleapis.com/ingress-status'] = ingressAnnotation[s.ingress] ?? 'all';
  return {
    apiVersion: KNATIVE,
    kind: 'Service',
    metadata: meta,
    spec: {
      template: {
        metadata: {
          ...(t.labels && Object.keys(t.labels).length ? { labels: t.labels } : {}),
          annotations: { ...(t.annotations ?? {}), 'autoscaling.knative.dev/maxScale': String(t.scaling?.maxInstanceCount ?? 100) },
        },
        spec: {
          containerConcurrency: t.maxInstanceRequestConcurrency,
          timeoutSeconds: seconds(t.timeout),
          serviceAccountName: t.serviceAccount,
          containers: containers(t.containers),
        },
      },
      traffic: (s.traffic ?? []).map((tr: any) =>
        tr.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
          ? { percent: tr.percent, latestRevision: true }
          : { percent: tr.percent, revisionName: tr.revision },
      ),
    },
    status: {
      observedGeneration: Number(s.observedGeneration ?? 0),
      conditions: [condition(s.terminalCondition, 'Ready'), ...(s.conditions ?? []).map((c: any) => condition(c))].filter(Boolean),
      latestReadyRevisionName: short(s.latestReadyRevision),
      latestCreatedRevisionName: short(s.latestCreatedRevision),
      ...(s.uri ? { url: s.uri, address: { url: s.uri } } : {}),
      traffic: (s.trafficStatuses ?? []).map((tr: any) => ({
        percent: tr.percent,
        ...(tr.type === 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
          ? { latestRevision: true, revisionName: short(s.latestReadyRevision) }
          : { revisionName: tr.revision }),
      })),
    },
  };
}

/** `view` is the v2 Revision resource (run-revisions.ts revisionView). */
/**
 * Knative's Active condition "is set when the revision is receiving traffic" (knative/serving,
 * pkg/apis/serving/v1 revision types); gcloud run revisions list shows it as ACTIVE. A revision with
 * no share says False, reason NoTraffic [G: Knative's reason for an idle revision].
 */
export function knativeRevision(view: Record<string, any>, at: Place, receivingTraffic = false): Record<string, unknown> {
  const id = view.name.split('/').pop();
  return {
    apiVersion: KNATIVE,
    kind: 'Revision',
    metadata: metadata(id, at.projectNumber, at.region, view, `/apis/${KNATIVE}/namespaces/${at.projectNumber}/revisions/${id}`, {
      'serving.knative.dev/service': view.service,
      'serving.knative.dev/configuration': view.service,
    }),
    spec: {
      containerConcurrency: view.maxInstanceRequestConcurrency,
      timeoutSeconds: seconds(view.timeout),
      serviceAccountName: view.serviceAccount,
      containers: containers(view.containers),
    },
    status: {
      observedGeneration: Number(view.observedGeneration ?? 0),
      conditions: [
        ...(view.conditions ?? []).map((c: any) => condition(c)),
        receivingTraffic
          ? { type: 'Active', status: 'True', lastTransitionTime: view.createTime }
          : { type: 'Active', status: 'False', reason: 'NoTraffic', message: 'The target is not receiving traffic.', lastTransitionTime: view.createTime },
      ],
      logUrl: view.logUri,
    },
  };
}

export function knativeJob(j: Record<string, any>, at: Place): Record<string, unknown> {
  const id = j.name.split('/').pop();
  const task = j.template?.template ?? {};
  const latest = j.latestCreatedExecution;
  return {
    apiVersion: RUN_V1,
    kind: 'Job',
    metadata: metadata(id, at.projectNumber, at.region, j, `/apis/${RUN_V1}/namespaces/${at.projectNumber}/jobs/${id}`),
    spec: {
      template: {
        spec: {
          taskCount: j.template?.taskCount,
          ...(j.template?.parallelism ? { parallelism: j.template.parallelism } : {}),
          template: {
            spec: {
              containers: containers(task.containers),
              maxRetries: task.maxRetries,
              timeoutSeconds: seconds(task.timeout),
              serviceAccountName: task.serviceAccount,
            },
          },
        },
      },
    },
    status: {
      observedGeneration: Number(j.observedGeneration ?? 0),
      conditions: [condition(j.terminalCondition, 'Ready')].filter(Boolean),
      executionCount: j.executionCount ?? 0,
      ...(latest
        ? {
            latestCreatedExecution: {
              name: latest.name.split('/').pop(),
              creationTimestamp: latest.createTime,
              ...(latest.completionTime ? { completionTimestamp: latest.completionTime } : {}),
              completionStatus: latest.completionStatus,
            },
          }
        : {}),
    },
  };
}

export function knativeExecution(e: Record<string, any>, at: Place): Record<string, unknown> {
  const id = e.name.split('/').pop();
  return {
    apiVersion: RUN_V1,
    kind: 'Execution',
    metadata: metadata(id, at.projectNumber, at.region, e, `/apis/${RUN_V1}/namespaces/${at.projectNumber}/executions/${id}`, {
      'run.googleapis.com/job': e.job,
    }),
    spec: { parallelism: e.parallelism, taskCount: e.taskCount, template: { spec: { containers: containers(e.template?.containers) } } },
    status: {
      observedGeneration: Number(e.observedGeneration ?? 0),
      conditions: (e.conditions ?? []).map((c: any) => condition(c)),
      startTime: e.startTime,
      ...(e.completionTime ? { completionTime: e.completionTime } : {}),
      ...(e.succeededCount ? { succeededCount: e.succeededCount } : {}),
      ...(e.failedCount ? { failedCount: e.failedCount } : {}),
      ...(e.runningCount ? { runningCount: e.runningCount } : {}),
      logUri: e.logUri,
    },
  };
}

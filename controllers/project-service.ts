// ProjectService: an API enabled on the stack's project (Service Usage v1). Enabling is a
// long-running operation. Google names services with the project number; musectl keys them by
// project id like every other kind.
import type { Controller, ControllerContext, Exportable, Observed } from '../src/contract/controller.js';
import { waitForOperation } from '../src/gcp/operations.js';
import { listAllPages } from './paging.js';

const keyOf = (project: string, service: string): string => `projects/${project}/services/${service}`;

/**
 * The services Google enables on every project created with the console or gcloud ("Services
 * enabled by default", https://cloud.google.com/service-usage/docs/enabled-service). They are the
 * project's, not a stack's: export leaves them out. The emulator keeps its own copy of this list
 * (emulator/apis/service-usage-catalog.ts); newer revisions of the page add the last two.
 */
export const DEFAULT_ENABLED_SERVICES: ReadonlySet<string> = new Set([
  'analyticshub.googleapis.com',
  'bigquery.googleapis.com',
  'bigqueryconnection.googleapis.com',
  'bigquerydatapolicy.googleapis.com',
  'bigquerymigration.googleapis.com',
  'bigqueryreservation.googleapis.com',
  'bigquerystorage.googleapis.com',
  'cloudapis.googleapis.com',
  'cloudtrace.googleapis.com',
  'dataform.googleapis.com',
  'dataplex.googleapis.com',
  'datastore.googleapis.com',
  'logging.googleapis.com',
  'monitoring.googleapis.com',
  'servicemanagement.googleapis.com',
  'serviceusage.googleapis.com',
  'sql-component.googleapis.com',
  'storage-api.googleapis.com',
  'storage-component.googleapis.com',
  'storage.googleapis.com',
  'bigquerydatatransfer.googleapis.com',
  'apptopology.googleapis.com',
]);

/** Services listed per page: the API's maximum. */
const PAGE_SIZE = 200;
const QUOTA = { read: 'serviceusage.read', write: 'serviceusage.write' } as const;

export const projectServiceController: Controller & Exportable = {
  kind: 'ProjectService',
  facts: {
    clients: ['serviceUsage'],
    sharedIdentity: true,
    // Turning an API off breaks whatever else uses it: only on explicit request.
    deletionPolicy: 'abandon',
    projectWide: true,
    absentAs: 'disabled',
    quotas: QUOTA,
    pageSize: PAGE_SIZE,
    longRunning: true,
    exportScope: 'project',
  },

  identify: (r, ctx) => ({ id: keyOf(ctx.project, r.name), scope: `projects/${ctx.project}` }),
  toManifestSpec: () => ({}),
  exportable: (observed) => !DEFAULT_ENABLED_SERVICES.has(observed.id.split('/').pop() ?? ''),

  async observe(ctx, scope) {
    const client = ctx.clients.serviceUsage();
    const services = await listAllPages((pageToken) =>
      ctx.api.call({ quota: QUOTA.read, scope: ctx.project, what: `list enabled services of ${scope}` }, () =>
        client.listServices({ parent: scope, filter: 'state:ENABLED', pageSize: PAGE_SIZE, pageToken }, { autoPaginate: false }),
      ),
    );
    const found = new Map<string, Observed>();
    for (const s of services) {
      const service = (s.name ?? '').split('/').pop() ?? '';
      found.set(keyOf(ctx.project, service), { id: s.name ?? '', spec: {}, labels: {}, outputs: {}, raw: s });
    }
    return found;
  },

  desired: () => ({}),

  async create(ctx, r) {
    const name = keyOf(ctx.project, r.name);
    const [operation] = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `enable ${r.name}` }, () =>
      ctx.clients.serviceUsage().enableService({ name }),
    );
    // Enabling an API that is already on answers an operation that is already done.
    await waitForOperation(ctx.api, operation, { quota: 'serviceusage.read', scope: ctx.project, what: `enable ${r.name}` });
    return { id: name, spec: {}, labels: {}, outputs: {}, raw: undefined };
  },

  async update(_ctx, _r, _desired, _labels, actual) {
    return actual; // nothing to change on an enabled service
  },

  async delete(ctx: ControllerContext, actual) {
    const [operation] = await ctx.api.call({ quota: QUOTA.write, scope: ctx.project, what: `disable ${actual.id}` }, () =>
      ctx.clients.serviceUsage().disableService({ name: actual.id }),
    );
    await waitForOperation(ctx.api, operation, { quota: 'serviceusage.read', scope: ctx.project, what: `disable ${actual.id}` });
  },
};

// Resource Manager: projects (v1 and v3 shapes) and the project IAM policy (gcp-api-facts.md §4).

import { decode } from '../codecs.js';
import type { Emulator } from '../emulator.js';
import { newEtag, type Policy } from '../iam-policy.js';
import type { Project } from '../projects.js';
import type { EmuRequest, EmuResponse } from '../router.js';
import { paginate, wire } from './common.js';

const V3 = 'google.cloud.resourcemanager.v3';

export function registerResourceManager(emu: Emulator): void {
  const r = emu.router;

  r.get('/v3/projects/{project}', (req) => wire(req, `${V3}.Project`, v3Project(chargeRead(req))));
  // v1 is JSON from a discovery document (no protos): lifecycleState instead of state.
  r.get('/v1/projects/{project}', (req) => ({ body: v1Project(chargeRead(req)) }));

  // The projects the caller can see: every project the emulator holds (`gcloud projects list`).
  r.get('/v1/projects', (req) => {
    const { page, nextPageToken } = paginate(visibleProjects(req), req.query, { defaultSize: 500, maxSize: 500 });
    return { body: { projects: page.map(v1Project), ...(nextPageToken ? { nextPageToken } : {}) } };
  });
  r.get('/v3/projects:search', (req) => {
    const { page, nextPageToken } = paginate(visibleProjects(req), req.query, { defaultSize: 500, maxSize: 500 });
    return wire(req, `${V3}.SearchProjectsResponse`, { projects: page.map(v3Project), nextPageToken });
  });

  for (const version of ['v1', 'v3']) {
    r.post(`/${version}/projects/{project}:getIamPolicy`, (req) => getPolicy(req, version), { mutates: false });
    r.post(`/${version}/projects/{project}:setIamPolicy`, (req) => setPolicy(req, version));
  }
}

function v3Project(p: Project): Record<string, unknown> {
  return {
    name: `projects/${p.projectNumber}`,
    parent: 'organizations/0',
    projectId: p.projectId,
    state: 'ACTIVE',
    displayName: p.displayName,
    createTime: p.createTime,
    updateTime: p.createTime,
    etag: `W/"${p.projectNumber}"`,
  };
}

function v1Project(p: Project): Record<string, unknown> {
  return {
    projectNumber: p.projectNumber,
    projectId: p.projectId,
    lifecycleState: 'ACTIVE',
    name: p.displayName,
    createTime: p.createTime,
    parent: { type: 'organization', id: '0' },
  };
}

/** Every project the emulator holds, by id; charged to no project (the call names none). */
function visibleProjects(req: EmuRequest): Project[] {
  return req.emu.projects.list().sort((a, b) => a.projectId.localeCompare(b.projectId));
}

function chargeRead(req: EmuRequest) {
  const p = req.emu.projects.resolve(req.params.project);
  req.emu.quota.charge('resourcemanager.read', p.projectId, p.projectNumber);
  return p;
}

/** A new project's policy: an owner, and the editors Google grants its default service agents. */
function initialProjectPolicy(projectNumber: string): () => Policy {
  return () => ({
    version: 1,
    etag: newEtag(),
    bindings: [
      {
        role: 'roles/editor',
        members: [`serviceAccount:${projectNumber}-compute@developer.gserviceaccount.com`, `serviceAccount:${projectNumber}@cloudservices.gserviceaccount.com`],
      },
      { role: 'roles/owner', members: ['user:owner@example.com'] },
    ],
  });
}

function getPolicy(req: EmuRequest, version: string): EmuResponse {
  const p = chargeRead(req);
  const body = version === 'v3' ? decode('google.iam.v1.GetIamPolicyRequest', req.body ?? {}, '') : req.body;
  void body; // requestedPolicyVersion only matters for conditional bindings, which are returned as stored
  const policy = req.emu.policies.get(`projects/${p.projectId}`, initialProjectPolicy(p.projectNumber));
  return wire(req, 'google.iam.v1.Policy', policy);
}

function setPolicy(req: EmuRequest, version: string): EmuResponse {
  const p = req.emu.projects.resolve(req.params.project);
  req.emu.quota.charge('resourcemanager.write', p.projectId, p.projectNumber);
  const body = version === 'v3' ? decode('google.iam.v1.SetIamPolicyRequest', req.body ?? {}, '') : (req.body ?? {});
  const stored = req.emu.policies.set(`projects/${p.projectId}`, body.policy ?? {}, {
    dialect: 'google',
    initial: initialProjectPolicy(p.projectNumber),
  });
  return wire(req, 'google.iam.v1.Policy', stored);
}

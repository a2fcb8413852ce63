// The IAM read-modify-write: a concurrent change (409 ABORTED or 412) starts over from a fresh
// read with the edit applied again; a just-created account refused as missing is waited for.
import { describe, expect, it } from 'vitest';
import { editPolicy, readModifyWrite } from '../../../controllers/iam-policy-member.js';
import type { ControllerContext, IamPolicy, IamPolicyAccess } from '../../../src/contract/controller.js';
import { createLogger } from '../../../src/log.js';

const ctx = { consistencyTimeoutMs: 2_000, log: createLogger('silent') } as unknown as ControllerContext;

function fakePolicy(failures: unknown[]): { api: IamPolicyAccess; writes: IamPolicy[]; reads: number } {
  let current: IamPolicy = { etag: 'e0', bindings: [{ role: 'roles/owner', members: ['user:o@example.com'] }] };
  const state = { writes: [] as IamPolicy[], reads: 0 };
  const api: IamPolicyAccess = {
    async get() {
      state.reads++;
      return structuredClone(current);
    },
    async set(_c, _id, p) {
      const failure = failures.shift();
      // Someone else wins the race: their change lands, ours is refused.
      if (failure) {
        current = { etag: `e${state.reads}x`, bindings: [...current.bindings, { role: 'roles/viewer', members: ['user:other@example.com'] }] };
        throw failure;
      }
      state.writes.push(p);
      current = { ...p, etag: `e${state.reads}` };
      return current;
    },
  };
  return {
    api,
    get writes() {
      return state.writes;
    },
    get reads() {
      return state.reads;
    },
  };
}

const add = (p: IamPolicy) => editPolicy(p, [{ role: 'roles/run.invoker', member: 'serviceAccount:a@p.iam.gserviceaccount.com' }], []);

describe('IAM read-modify-write', () => {
  it('retries a 409 ABORTED from a fresh read, keeping the concurrent change', async () => {
    const f = fakePolicy([{ code: 409, message: '{"error":{"code":409,"status":"ABORTED","message":"There were concurrent policy changes."}}' }]);
    await readModifyWrite(ctx, f.api, 'projects/p', add);
    expect(f.reads).toBe(2);
    expect(f.writes).toHaveLength(1);
    expect(f.writes[0].bindings.map((b) => b.role)).toEqual(['roles/owner', 'roles/viewer', 'roles/run.invoker']);
  });

  it('writes a policy known to be empty (a resource this apply created) without reading it, and reads it after a conflict', async () => {
    const quiet = fakePolicy([]);
    await readModifyWrite(ctx, quiet.api, 'projects/p/secrets/s', add, { bindings: [] });
    expect(quiet.reads).toBe(0);
    expect(quiet.writes.map((w) => w.bindings)).toEqual([[{ role: 'roles/run.invoker', members: ['serviceAccount:a@p.iam.gserviceaccount.com'] }]]);
    expect(quiet.writes[0].etag).toBeUndefined();
    const raced = fakePolicy([{ code: 409, message: '{"error":{"code":409,"status":"ABORTED","message":"There were concurrent policy changes."}}' }]);
    await readModifyWrite(ctx, raced.api, 'projects/p/secrets/s', add, { bindings: [] });
    expect(raced.reads).toBe(1);
    expect(raced.writes[0].bindings.map((b) => b.role)).toEqual(['roles/owner', 'roles/viewer', 'roles/run.invoker']);
  });

  it('retries a Cloud Storage 412', async () => {
    const f = fakePolicy([
      { code: 412, message: 'Precondition Failed' },
      { code: 412, message: 'Precondition Failed' },
    ]);
    await readModifyWrite(ctx, f.api, 'bucket', add);
    expect(f.reads).toBe(3);
    expect(f.writes).toHaveLength(1);
  });

  it('waits out a new service account that IAM does not know yet', async () => {
    const f = fakePolicy([
      { code: 400, message: '{"error":{"code":400,"status":"INVALID_ARGUMENT","message":"Service account a@p.iam.gserviceaccount.com does not exist."}}' },
    ]);
    await readModifyWrite(ctx, f.api, 'projects/p', add);
    expect(f.writes).toHaveLength(1);
  });

  it('does not retry other errors', async () => {
    const f = fakePolicy([{ code: 403, message: 'Permission denied' }]);
    await expect(readModifyWrite(ctx, f.api, 'projects/p', add)).rejects.toMatchObject({ code: 403 });
  });

  it('edits only the members it is given', () => {
    const p: IamPolicy = {
      bindings: [
        { role: 'r', members: ['a', 'b'] },
        { role: 'c', members: ['x'], condition: { expression: 'true' } },
      ],
    };
    expect(
      editPolicy(
        p,
        [
          { role: 'r', member: 'c' },
          { role: 'c', member: 'y' },
        ],
        [{ role: 'r', member: 'a' }],
      ).bindings,
    ).toEqual([
      { role: 'r', members: ['b', 'c'] },
      { role: 'c', members: ['x'], condition: { expression: 'true' } },
      { role: 'c', members: ['y'] },
    ]);
  });
});

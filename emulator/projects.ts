// Projects known to the emulator. Any project id used is provisioned on first use (so `npm start`
// needs no set-up), with a stable 12-digit project number derived from the id, as Google's numbers
// are fixed for a project's life. Resource names that Google writes with the number (Secret
// Manager, Resource Manager v3) use it.

import type { Clock } from './clock.js';
import { ApiError } from './errors.js';
import type { StateStore } from './state.js';

export interface Project {
  projectId: string;
  projectNumber: string;
  createTime: string;
  displayName: string;
}

const COLLECTION = 'resourcemanager.projects';

export class Projects {
  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
  ) {}

  private get all(): Record<string, Project> {
    return this.store.collection<Project>(COLLECTION);
  }

  /** Looks a project up by id or number, provisioning an id on first use. */
  resolve(idOrNumber: string): Project {
    if (/^\d+$/.test(idOrNumber)) {
      const found = Object.values(this.all).find((p) => p.projectNumber === idOrNumber);
      if (!found) {
        throw new ApiError(403, `Permission denied on resource project ${idOrNumber}.`, 'PERMISSION_DENIED');
      }
      return found;
    }
    if (!/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/.test(idOrNumber)) {
      throw new ApiError(403, `Permission denied on resource project ${idOrNumber}.`, 'PERMISSION_DENIED');
    }
    let project = this.all[idOrNumber];
    if (!project) {
      project = {
        projectId: idOrNumber,
        projectNumber: projectNumberFor(idOrNumber),
        createTime: this.clock.iso(),
        displayName: idOrNumber,
      };
      this.all[idOrNumber] = project;
    }
    return project;
  }

  list(): Project[] {
    return Object.values(this.all);
  }
}

/** A stable 12-digit number that does not start with 0. */
export function projectNumberFor(projectId: string): string {
  let h = 1469598103934665603n;
  for (const ch of projectId) {
    h ^= BigInt(ch.codePointAt(0)!);
    h = (h * 1099511628211n) & 0xffffffffffffffffn;
  }
  return String(100000000000n + (h % 899999999999n));
}

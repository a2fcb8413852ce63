// Projects known to the emulator. By default any project id used is provisioned on first use (so
// `npm start` needs no set-up), as Google's own emulators accept any project. In strict mode
// (`--projects a,b`, EmulatorOptions.projects) only those exist, and a request naming any other is
// answered as Google answers a project the caller cannot see: 403 PERMISSION_DENIED. Every project
// has a stable 12-digit number derived from its id, as Google's numbers are fixed for a project's
// life; names that Google writes with the number (Secret Manager, Resource Manager v3) use it.

import type { Clock } from './clock.js';
import { ApiError, errorInfo } from './errors.js';
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
    /** Strict mode: the only projects that exist. */
    private readonly allowed?: ReadonlySet<string>,
  ) {
    this.provisionAllowed();
  }

  get strict(): boolean {
    return this.allowed !== undefined;
  }

  /** Strict projects exist from the start (also after a reset), so they resolve by number too. */
  provisionAllowed(): void {
    for (const id of this.allowed ?? []) this.resolve(id);
  }

  private get all(): Record<string, Project> {
    return this.store.collection<Project>(COLLECTION);
  }

  /** Looks a project up by id or number, provisioning an id on first use. */
  resolve(idOrNumber: string): Project {
    if (/^\d+$/.test(idOrNumber)) {
      const found = Object.values(this.all).find((p) => p.projectNumber === idOrNumber);
      if (!found) throw projectDenied(idOrNumber);
      return found;
    }
    if (!/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/.test(idOrNumber) || (this.allowed && !this.allowed.has(idOrNumber))) {
      throw projectDenied(idOrNumber);
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

  /** The project with this id or number, if the emulator holds it (never provisions one). */
  find(idOrNumber: string): Project | undefined {
    return /^\d+$/.test(idOrNumber) ? Object.values(this.all).find((p) => p.projectNumber === idOrNumber) : this.all[idOrNumber];
  }

  list(): Project[] {
    return Object.values(this.all);
  }
}

/**
 * What the One Platform APIs answer for a project that does not exist or that the caller cannot see:
 * 403 "Permission denied on resource project X." with an ErrorInfo (reason CONSUMER_INVALID, as
 * Google's consumer check reports it). Cloud Storage and the Docker registry say it in their own words.
 */
export function projectDenied(project: string): ApiError {
  return new ApiError(403, `Permission denied on resource project ${project}.`, 'PERMISSION_DENIED', [
    errorInfo('CONSUMER_INVALID', 'googleapis.com', { consumer: `projects/${project}` }),
  ]);
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

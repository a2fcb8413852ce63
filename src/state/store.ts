// Where a stack keeps its inventory and its lease: a directory (local use, the emulator) or a Cloud
// Storage prefix (gs://BUCKET/PREFIX, for CI and the watcher). Every write names the generation
// it expects, so two writers can never lose each other's update: the second gets a
// PreconditionFailed and must read again.

export interface StoredObject {
  data: Buffer;
  /** Opaque version of the object; writes and deletes are conditional on it. */
  generation: string;
}

export class PreconditionFailed extends Error {
  constructor(readonly key: string) {
    super(`${key} changed since it was read`);
  }
}

/**
 * Whose state: a stack in a project, and its environment when it has one (--env): each
 * environment has its own inventory and its own lease, even two environments in one project.
 */
export interface StackIdentity {
  project: string;
  stack: string;
  env?: string;
}

/** The stem of a stack's state objects: PROJECT.STACK, or PROJECT.STACK.ENV (ids and names hold no dots). */
export const stateStem = (w: StackIdentity): string => `${w.project}.${w.stack}${w.env ? `.${w.env}` : ''}`;

/** "stack S of project P", or "stack S (environment E) of project P", for messages. */
export const describeStack = (w: StackIdentity): string => `stack ${w.stack}${w.env ? ` (environment ${w.env})` : ''} of project ${w.project}`;

export interface StateStore {
  /** Where it is, for messages: a path or a gs:// URL. */
  describe(): string;
  read(key: string): Promise<StoredObject | undefined>;
  /** Writes if the object is at `ifGeneration` ("0": must not exist). Returns the new generation. */
  write(key: string, data: Buffer, ifGeneration: string): Promise<string>;
  /** Deletes if the object is at `ifGeneration`; a missing object is already deleted. */
  delete(key: string, ifGeneration: string): Promise<void>;
  /** Keys that start with `prefix` (other stacks' inventories of a project), sorted. */
  list(prefix: string): Promise<string[]>;
}

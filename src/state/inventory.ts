// What a stack owns, kept next to its lease: every resource musectl created or adopted for the
// stack, with what prune needs once the manifest is gone (scope, dependencies, deletion policy).
// Kinds without labels (service accounts, IAM members, APIs) are known to be ours only from here.
import { UserError } from '../errors.js';
import { localeOrder } from '../locale-order.js';
import { PreconditionFailed, type StateStore, stateStem } from './store.js';

export type DeletionPolicy = 'delete' | 'abandon';

export interface InventoryEntry {
  kind: string;
  name: string;
  /** Google's id, as the controller's id() gives it. */
  id: string;
  /** The controller's scope, so prune can observe it without the manifest. */
  scope: string;
  /** Keys of the resources it depended on when last applied (prune deletes in reverse). */
  dependsOn: string[];
  deletionPolicy: DeletionPolicy;
  forceDestroy?: boolean;
  /**
   * Written before a create: the resource may or may not exist. The next run resolves it (confirmed
   * when the manifest still names it and it exists, dropped otherwise); prune never acts on it.
   */
  pending?: boolean;
  /** What proves the resource is the one this stack made (Observed.evidence: uid, creation time). */
  evidence?: Record<string, string>;
  /**
   * During a move (the manifest now names another Google resource): the old resource, still to be
   * removed once the new one exists. A move a crash interrupted goes on from here.
   */
  previous?: { id: string; scope: string; evidence?: Record<string, string> };
  /** metadata.name as written when it used variables: the same manifest under another name (see Resource). */
  nameTemplate?: string;
  /** Its outputs (Observed.outputs: URLs, emails, names; never a secret value) as of the last apply. */
  outputs?: Record<string, string>;
}

export interface Inventory {
  formatVersion: 1;
  stack: string;
  project: string;
  /** The environment (--env) whose inventory this is. */
  environment?: string;
  updated: string;
  entries: InventoryEntry[];
  /** The Stack's named outputs (spec.outputs) as of the last apply: what `musectl output NAME` prints. */
  outputs?: Record<string, string>;
  /**
   * The stack was applied with its Stack document: a later run without it is one file of the stack
   * (`-f backend.yaml --stack NAME`), a partial run that prunes nothing.
   */
  stackDocument?: boolean;
  /**
   * The project's number, when the manifests use ${PROJECT_NUMBER}: the next plan loads them with it
   * at once and checks it against Resource Manager in the same round as its other reads.
   */
  projectNumber?: string;
  /**
   * Left where an inventory was after `musectl state migrate` moved it (its entries empty): a run
   * that still reads this store is told where the stack's state is now, instead of finding nothing.
   */
  movedTo?: string;
}

export const inventoryKey = (project: string, stack: string, env?: string): string => `${stateStem({ project, stack, env })}.inventory.json`;
const INVENTORY_SUFFIX = '.inventory.json';

export const entryKey = (e: { kind: string; name: string }): string => `${e.kind}/${e.name}`;

/** The projects whose inventory of `stack` (in `env`) is in the store (project ids, stack and environment names hold no dots). */
export async function projectsWithInventory(store: StateStore, stack: string, env?: string): Promise<string[]> {
  const suffix = `.${stack}${env ? `.${env}` : ''}${INVENTORY_SUFFIX}`;
  return (await store.list('')).filter((k) => k.endsWith(suffix) && !k.slice(0, -suffix.length).includes('.')).map((k) => k.slice(0, -suffix.length));
}

export class InventoryStore {
  constructor(
    private readonly store: StateStore,
    readonly project: string,
    readonly stack: string,
    /** The environment (--env): its own inventory. */
    readonly env?: string,
  ) {}

  private empty(): Inventory {
    return { formatVersion: 1, stack: this.stack, project: this.project, ...(this.env ? { environment: this.env } : {}), updated: '', entries: [] };
  }

  private get key(): string {
    return inventoryKey(this.project, this.stack, this.env);
  }

  describe(): string {
    return `${this.store.describe()}${this.store.describe().endsWith('/') ? '' : '/'}${this.key}`;
  }

  /**
   * The other stacks of this project that keep their inventories in the same store, each with its
   * entries: a resource one of them claims is never adopted by this stack.
   */
  async others(): Promise<Inventory[]> {
    const keys = (await this.store.list(`${this.project}.`)).filter((k) => k.endsWith(INVENTORY_SUFFIX) && k !== this.key);
    const found = await Promise.all(keys.map((k) => this.store.read(k)));
    return found.flatMap((f) => {
      if (!f) return [];
      try {
        const inv = JSON.parse(f.data.toString()) as Inventory;
        return inv.formatVersion === 1 && Array.isArray(inv.entries) ? [inv] : [];
      } catch {
        return [];
      }
    });
  }

  async load(): Promise<Inventory> {
    const found = await this.store.read(this.key);
    if (!found) return { ...this.empty(), updated: new Date(0).toISOString() };
    const inv = this.parse(found.data);
    if (inv.movedTo) throw movedError(this, inv.movedTo);
    return inv;
  }

  /**
   * Moves the inventory to `to` (the same stack and project in another store): written there only
   * if none exists yet, then replaced here by a marker naming where it went. Returns what moved.
   */
  async moveTo(to: InventoryStore): Promise<Inventory> {
    const found = await this.store.read(this.key);
    if (!found)
      throw new UserError(`there is no inventory of stack ${this.stack} at ${this.describe()}: nothing to migrate`, 'Give the --state the stack uses now.');
    const inv = this.parse(found.data);
    if (inv.movedTo) throw movedError(this, inv.movedTo);
    try {
      await to.store.write(to.key, found.data, '0');
    } catch (err) {
      if (!(err instanceof PreconditionFailed)) throw err;
      throw new UserError(
        `an inventory of stack ${this.stack} exists already at ${to.describe()}: migrate never overwrites one`,
        "Check which of the two is the stack's; remove the other (or give another --to), then run migrate again.",
      );
    }
    const marker: Inventory = {
      formatVersion: 1,
      stack: this.stack,
      project: this.project,
      updated: new Date().toISOString(),
      entries: [],
      movedTo: to.describe(),
    };
    await this.store.write(this.key, Buffer.from(`${JSON.stringify(marker, null, 2)}\n`), found.generation);
    return inv;
  }

  /** The stored inventory, or a one-line error naming the file and what to do when it is damaged. */
  private parse(data: Buffer): Inventory {
    let inv: Inventory | undefined;
    try {
      inv = JSON.parse(data.toString()) as Inventory;
    } catch {
      inv = undefined;
    }
    if (inv?.formatVersion !== 1 || !Array.isArray(inv.entries)) {
      throw new UserError(
        `the inventory ${this.describe()} is damaged (not a musectl inventory), so musectl cannot tell what stack ${this.stack} owns`,
        'Restore it from a backup, or move it away to start over (then nothing the stack created is known to be its own: prune deletes none of it).',
      );
    }
    const recorded = { project: inv.project, stack: inv.stack, environment: inv.environment };
    const expected = { project: this.project, stack: this.stack, environment: this.env };
    // An inventory is the stack's evidence of what it made: one that names another project, stack or
    // environment was copied or renamed into this file, and its entries are another stack's (a plan
    // with them replaced, and so deleted, resources of the project it was copied from).
    const other = (['project', 'stack', 'environment'] as const).filter((k) => recorded[k] !== undefined && recorded[k] !== expected[k]);
    if (other.length > 0) {
      throw new UserError(
        `the inventory ${this.describe()} is of ${other.map((k) => `${k} ${recorded[k]}`).join(', ')}, not of ${other.map((k) => `${k} ${expected[k] ?? '(none)'}`).join(', ')}: it was copied or renamed here from another stack's state, and what it records is not this stack's`,
        `Move it back to ${inventoryKey(recorded.project ?? this.project, recorded.stack ?? this.stack, recorded.environment)} in its state, or move it away to start over (then nothing this stack created is known to be its own: prune deletes none of it).`,
      );
    }
    return inv;
  }

  /**
   * Applies `edit` to the current inventory and writes it back at the generation it was read at;
   * if someone else wrote meanwhile, reads again and applies `edit` again, so no update is lost.
   * `top`, when given, computes the inventory's own fields (the stack's named outputs) from the edited entries.
   */
  async update(
    edit: (entries: Map<string, InventoryEntry>) => void,
    top?: (entries: Map<string, InventoryEntry>) => Pick<Inventory, 'outputs' | 'stackDocument' | 'projectNumber'>,
  ): Promise<Inventory> {
    for (let attempt = 1; ; attempt++) {
      const found = await this.store.read(this.key);
      const inv: Inventory = found ? this.parse(found.data) : this.empty();
      if (inv.movedTo) throw movedError(this, inv.movedTo);
      const entries = new Map(inv.entries.map((e) => [entryKey(e), e]));
      edit(entries);
      const next: Inventory = {
        ...inv,
        updated: new Date().toISOString(),
        entries: [...entries.values()].sort((a, b) => localeOrder(entryKey(a), entryKey(b))),
        ...(top ? top(entries) : {}),
      };
      try {
        await this.store.write(this.key, Buffer.from(`${JSON.stringify(next, null, 2)}\n`), found?.generation ?? '0');
        return next;
      } catch (err) {
        if (!(err instanceof PreconditionFailed) || attempt >= 10) throw err;
      }
    }
  }
}

const movedError = (at: InventoryStore, to: string): UserError =>
  new UserError(
    `the inventory of stack ${at.stack} moved from ${at.describe()} to ${to} (musectl state migrate)`,
    `Run with --state ${to.replace(/\/[^/]*\.inventory\.json$/, '')}.`,
  );

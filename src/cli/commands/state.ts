// musectl state: look at and repair what the stack owns (its inventory), without touching Google
// Cloud's resources: list, forget (rm), rename (mv), and move the inventory to another store
// (migrate). Every one runs under the stack's lease, as apply does, so none of them reads or
// writes an inventory an apply is in the middle of changing.
import type { Command } from '../command.js';
import { stateMoveCommand, stateRemoveCommand } from './state-edit.js';
import { stateListCommand } from './state-list.js';
import { stateMigrateCommand } from './state-migrate.js';

export const stateCommand: Command = {
  name: 'state',
  summary: 'List, forget, rename or move what the stack owns (its inventory)',
  usage: 'musectl state list|rm|mv|migrate -f PATH... (--project ID | --emulator URL) [--state DIR|gs://B/P]',
  details: `
The inventory is how musectl knows what the stack created (see "Ownership" in the README). These
commands change only the inventory, never a resource in Google Cloud (rm also takes musectl's
ownership labels off what it forgets). Each takes the stack's lock, as apply does.`,
  flags: {},
  subcommands: [stateListCommand, stateRemoveCommand, stateMoveCommand, stateMigrateCommand],
  run: async () => 1, // main runs a subcommand
};

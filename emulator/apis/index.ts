// Every API the emulator serves. Each module registers its routes and completion hooks.
import type { Emulator } from '../emulator.js';
import { registerResourceManager } from './resource-manager.js';
import { registerRunServices } from './run-services.js';
import { registerRunJobs } from './run-jobs.js';
import { registerStorage } from './storage.js';
import { registerServiceAccounts } from './iam-service-accounts.js';
import { registerSecretManager } from './secret-manager.js';
import { registerArtifactRegistry } from './artifact-registry.js';
import { registerServiceUsage } from './service-usage.js';

export function registerAllApis(emu: Emulator): void {
  registerResourceManager(emu);
  registerRunServices(emu);
  registerRunJobs(emu);
  registerStorage(emu);
  registerServiceAccounts(emu);
  registerSecretManager(emu);
  registerArtifactRegistry(emu);
  registerServiceUsage(emu);
}

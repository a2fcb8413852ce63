// Every API the emulator serves. Each module registers its routes and completion hooks.
import type { Emulator } from '../emulator.js';
import { registerArtifactRegistry } from './artifact-registry.js';
import { registerServiceAccounts } from './iam-service-accounts.js';
import { registerResourceManager } from './resource-manager.js';
import { registerRunJobs } from './run-jobs.js';
import { registerRunServices } from './run-services.js';
import { registerRunV1 } from './run-v1.js';
import { registerSecretManager } from './secret-manager.js';
import { registerServiceUsage } from './service-usage.js';
import { registerStorage } from './storage.js';

export function registerAllApis(emu: Emulator): void {
  registerResourceManager(emu);
  registerRunServices(emu);
  registerRunJobs(emu);
  registerRunV1(emu);
  registerStorage(emu);
  registerServiceAccounts(emu);
  registerSecretManager(emu);
  registerArtifactRegistry(emu);
  registerServiceUsage(emu);
}

// Every kind musectl manages, and the controller that knows its API.
import type { Controller } from '../src/engine/controller.js';
import { bucketController } from './bucket.js';
import { cloudRunServiceController } from './cloud-run-service.js';
import { serviceAccountController } from './service-account.js';

export function allControllers(): Map<string, Controller> {
  return new Map([serviceAccountController, bucketController, cloudRunServiceController].map((c) => [c.kind, c]));
}

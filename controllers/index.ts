// Every kind musectl manages, and the controller that knows its API.
import type { AnyController, ControllerRegistry } from '../src/contract/controller.js';
import { artifactRegistryRepositoryController } from './artifact-registry-repository.js';
import { bucketController } from './bucket.js';
import { cloudRunJobController } from './cloud-run-job.js';
import { cloudRunServiceController } from './cloud-run-service.js';
import { cloudSchedulerJobController } from './cloud-scheduler-job.js';
import { iamPolicyMemberController } from './iam-policy-member.js';
import { projectServiceController } from './project-service.js';
import { secretController } from './secret.js';
import { serviceAccountController } from './service-account.js';

export function allControllers(): ControllerRegistry {
  const all: AnyController[] = [
    projectServiceController,
    serviceAccountController,
    bucketController,
    secretController,
    artifactRegistryRepositoryController,
    cloudRunServiceController,
    cloudRunJobController,
    cloudSchedulerJobController,
    iamPolicyMemberController,
  ];
  return new Map(all.map((c) => [c.kind, c]));
}

// The Google client libraries musectl calls, one getter each, so a module runs only when first used.
// `npm run build` bundles this file with everything it requires into dist/vendor/google-libraries.cjs
// (src/build-bundles.ts): one file to read instead of ~600 in node_modules.
//
// Each getter names a client's own file rather than its package: a package's index also runs
// ../protos/protos.js (1-4 MB of generated message classes per package, unused in REST mode, where
// the client reads protos.json), which took half of the libraries' load time.
/** google-gax, with protobufjs's message set-up made lazy (./protobuf-coders.cjs) before any client uses it. */
function gax() {
  const loaded = require('google-gax');
  require('./protobuf-coders.cjs').lazyCoders(loaded.protobuf);
  return loaded;
}

module.exports = {
  get gax() {
    return gax();
  },
  get runServices() {
    gax();
    return require('@google-cloud/run/build/src/v2/services_client.js');
  },
  get runRevisions() {
    gax();
    return require('@google-cloud/run/build/src/v2/revisions_client.js');
  },
  get runJobs() {
    gax();
    return require('@google-cloud/run/build/src/v2/jobs_client.js');
  },
  get secretManager() {
    gax();
    return require('@google-cloud/secret-manager/build/src/v1/secret_manager_service_client.js');
  },
  get artifactRegistry() {
    gax();
    return require('@google-cloud/artifact-registry/build/src/v1/artifact_registry_client.js');
  },
  get projects() {
    gax();
    return require('@google-cloud/resource-manager/build/src/v3/projects_client.js');
  },
  get serviceUsage() {
    gax();
    return require('@google-cloud/service-usage/build/src/v1/service_usage_client.js');
  },
  get cloudScheduler() {
    gax();
    return require('@google-cloud/scheduler/build/src/v1/cloud_scheduler_client.js');
  },
  get storage() {
    return require('@google-cloud/storage');
  },
  get iam() {
    return require('@googleapis/iam');
  },
  get nodeFetch() {
    return require('node-fetch');
  },
};

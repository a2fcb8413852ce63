// The round-trip cases of the kinds that hold data or identities: Secret (its settings; the value
// has its own tests), ArtifactRegistryRepository, ServiceAccount and Bucket (see round-trip.ts).
import type { KindRoundTrip } from './round-trip.js';

export const SECRET_VALUE_ENV = 'ROUND_TRIP_SECRET_VALUE';
const KEY = 'projects/round-trip-project/locations/global/keyRings/ring/cryptoKeys';
const TOPIC = 'projects/round-trip-project/topics';

export const SECRET_ROUND_TRIP: KindRoundTrip = {
  kind: 'Secret',
  name: 'rt-secret',
  base: { valueFrom: { env: SECRET_VALUE_ENV } },
  notRoundTripped: {
    'valueFrom.env':
      "musectl's own (where the value comes from), never sent to Google: the base reads it; values are tested in test/reliability/secrets.test.ts",
    'valueFrom.file': "musectl's own, as valueFrom.env (test/e2e/secret-hygiene.test.ts, test/reliability/secrets.test.ts)",
    'replication.userManaged.replicas[].location': 'the identity of the data: a new location replaces the secret; the userManaged case replaces it twice',
  },
  cases: [
    { at: ['annotations'], set: { owner: 'a' }, change: { at: ['owner'], to: 'b' }, changePaths: ['annotations'] },
    { at: ['topics'], set: [{ name: `${TOPIC}/one` }], change: { to: [{ name: `${TOPIC}/one` }, { name: `${TOPIC}/two` }] }, changePaths: ['topics[1]'] },
    { at: ['expireTime'], set: '2099-01-01T00:00:00Z', change: { to: '2099-06-01T00:00:00.000Z' }, changePaths: ['expireTime'] },
    {
      at: ['rotation'],
      set: { nextRotationTime: '2099-01-01T00:00:00Z', rotationPeriod: '720h' },
      change: { at: ['nextRotationTime'], to: '2099-01-02T12:00:00Z' },
      changePaths: ['rotation.nextRotationTime'],
      with: [{ at: ['topics'], value: [{ name: `${TOPIC}/rotation` }] }],
    },
    { at: ['versionAliases'], set: { current: 1 }, change: { to: { current: 1, stable: 1 } }, changePaths: ['versionAliases'] },
    { at: ['versionDestroyTtl'], set: '86400s', change: { to: '2d' }, changePaths: ['versionDestroyTtl'] },
    {
      at: ['replication'],
      set: { automatic: { customerManagedEncryption: { kmsKeyName: `${KEY}/one` } } },
      change: { at: ['automatic', 'customerManagedEncryption', 'kmsKeyName'], to: `${KEY}/two` },
      changePaths: ['replication.automatic.customerManagedEncryption.kmsKeyName'],
    },
    {
      at: ['replication'],
      set: {
        userManaged: {
          replicas: [{ location: 'asia-northeast1', customerManagedEncryption: { kmsKeyName: `${KEY.replace('global', 'asia-northeast1')}/one` } }],
        },
      },
      change: { at: ['userManaged', 'replicas', 0, 'customerManagedEncryption', 'kmsKeyName'], to: `${KEY.replace('global', 'asia-northeast1')}/two` },
      changePaths: ['replication.userManaged.replicas[0].customerManagedEncryption.kmsKeyName'],
      replaces: true,
      changeInPlace: true,
    },
    { at: ['secretType'], set: 'OTHER', change: { to: 'ACCESS_KEY' }, changePaths: ['secretType'], replaces: true },
  ],
};

const REPO_KEY = 'projects/round-trip-project/locations/asia-northeast1/keyRings/ring/cryptoKeys';

export const REPOSITORY_ROUND_TRIP: KindRoundTrip = {
  kind: 'ArtifactRegistryRepository',
  name: 'rt-repo',
  base: { location: 'asia-northeast1', format: 'DOCKER' },
  notRoundTripped: { location: 'the identity: a new location replaces the repository (test/contract/controllers.test.ts)' },
  cases: [
    { at: ['description'], set: 'images', change: { to: 'the images' }, changePaths: ['description'] },
    // Left out, the Docker settings are Google's: removing them keeps what Google has.
    {
      at: ['dockerConfig'],
      set: { immutableTags: true },
      change: { at: ['immutableTags'], to: false },
      changePaths: ['dockerConfig.immutableTags'],
      leftToGoogle: true,
    },
    {
      at: ['mavenConfig'],
      set: { allowSnapshotOverwrites: true, versionPolicy: 'SNAPSHOT' },
      change: { at: ['versionPolicy'], to: 'RELEASE' },
      changePaths: ['mavenConfig.versionPolicy'],
      with: [{ at: ['format'], value: 'MAVEN' }],
      replaces: true,
    },
    { at: ['kmsKeyName'], set: `${REPO_KEY}/one`, change: { to: `${REPO_KEY}/two` }, changePaths: ['kmsKeyName'], replaces: true },
    {
      at: ['cleanupPolicies'],
      set: {
        'delete-old': {
          action: 'DELETE',
          condition: {
            tagState: 'ANY',
            olderThan: '30d',
            newerThan: '3650d',
            tagPrefixes: ['ci-'],
            versionNamePrefixes: ['sha256:'],
            packageNamePrefixes: ['backend'],
          },
        },
      },
      change: { at: ['delete-old', 'condition', 'olderThan'], to: '60d' },
      changePaths: ['cleanupPolicies'],
    },
    {
      at: ['cleanupPolicies'],
      set: { 'keep-recent': { id: 'keep-recent', action: 'KEEP', mostRecentVersions: { packageNamePrefixes: ['backend'], keepCount: 5 } } },
      change: { at: ['keep-recent', 'mostRecentVersions', 'keepCount'], to: 10 },
      changePaths: ['cleanupPolicies'],
    },
    { at: ['cleanupPolicyDryRun'], set: true, change: { to: false }, changePaths: ['cleanupPolicyDryRun'], changeToDefault: true },
    {
      at: ['vulnerabilityScanningConfig'],
      set: { enablementConfig: 'DISABLED' },
      change: { at: ['enablementConfig'], to: 'INHERITED' },
      changePaths: ['vulnerabilityScanningConfig.enablementConfig'],
      changeToDefault: true,
    },
  ],
};

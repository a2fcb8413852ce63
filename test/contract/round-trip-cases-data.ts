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

const LOGS = 'rt-logs-round-trip-project';
const BUCKET_KEY = 'projects/round-trip-project/locations/asia-northeast1/keyRings/ring/cryptoKeys';
const restricted = (restrictionMode: string) => ({ restrictionMode });

export const BUCKET_ROUND_TRIP: KindRoundTrip = {
  kind: 'Bucket',
  name: 'rt-bucket-round-trip-project',
  base: { location: 'asia-northeast1' },
  extra: `apiVersion: musectl.dev/v1alpha1\nkind: Bucket\nmetadata: { name: ${LOGS} }\nspec: { location: asia-northeast1 }\n`,
  notRoundTripped: { location: 'the identity of the data: a new location replaces the bucket (the customPlacementConfig and rpo cases replace it)' },
  cases: [
    { at: ['storageClass'], set: 'NEARLINE', change: { to: 'COLDLINE' }, changePaths: ['storageClass'] },
    {
      at: ['lifecycle'],
      set: {
        rule: [
          {
            action: { type: 'Delete' },
            condition: {
              age: 1,
              createdBefore: '2030-01-01',
              customTimeBefore: '2030-01-01',
              daysSinceCustomTime: 3,
              daysSinceNoncurrentTime: 4,
              isLive: true,
              matchesPrefix: ['a/'],
              matchesSuffix: ['.tmp'],
              matchesStorageClass: ['STANDARD'],
              noncurrentTimeBefore: '2030-01-01',
              numNewerVersions: 2,
            },
          },
        ],
      },
      change: { at: ['rule', 0, 'condition', 'age'], to: 2 },
      changePaths: ['lifecycle.rule[0].condition.age'],
    },
    {
      at: ['lifecycle'],
      set: { rule: [{ action: { type: 'SetStorageClass', storageClass: 'NEARLINE' }, condition: { age: 30 } }] },
      change: { at: ['rule', 0, 'action', 'storageClass'], to: 'COLDLINE' },
      changePaths: ['lifecycle.rule[0].action.storageClass'],
    },
    { at: ['versioning'], set: { enabled: true }, change: { at: ['enabled'], to: false }, changePaths: ['versioning.enabled'], changeToDefault: true },
    {
      at: ['iamConfiguration', 'uniformBucketLevelAccess'],
      set: { enabled: true },
      change: { at: ['enabled'], to: false },
      changePaths: ['iamConfiguration.uniformBucketLevelAccess.enabled'],
      changeToDefault: true,
    },
    {
      at: ['iamConfiguration', 'publicAccessPrevention'],
      set: 'enforced',
      change: { to: 'inherited' },
      changePaths: ['iamConfiguration.publicAccessPrevention'],
      changeToDefault: true,
    },
    { at: ['softDeletePolicy', 'retentionDurationSeconds'], set: 0, change: { to: 1209600 }, changePaths: ['softDeletePolicy.retentionDurationSeconds'] },
    {
      at: ['cors'],
      set: [{ origin: ['https://a.example'], method: ['GET'], responseHeader: ['Content-Type'], maxAgeSeconds: 3600 }],
      change: { at: [0, 'maxAgeSeconds'], to: 60 },
      changePaths: ['cors[0].maxAgeSeconds'],
    },
    {
      at: ['autoclass'],
      set: { enabled: true, terminalStorageClass: 'ARCHIVE' },
      change: { at: ['terminalStorageClass'], to: 'NEARLINE' },
      changePaths: ['autoclass.terminalStorageClass'],
    },
    {
      at: ['billing'],
      set: { requesterPays: true },
      change: { at: ['requesterPays'], to: false },
      changePaths: ['billing.requesterPays'],
      changeToDefault: true,
    },
    {
      at: ['customPlacementConfig'],
      set: { dataLocations: ['ASIA-NORTHEAST1', 'ASIA-NORTHEAST2'] },
      change: { at: ['dataLocations'], to: ['asia-northeast3', 'asia-northeast1'] },
      changePaths: ['customPlacementConfig.dataLocations[1]'],
      with: [{ at: ['location'], value: 'ASIA' }],
      replaces: true,
    },
    { at: ['defaultEventBasedHold'], set: true, change: { to: false }, changePaths: ['defaultEventBasedHold'], changeToDefault: true },
    {
      at: ['encryption'],
      set: {
        defaultKmsKeyName: `${BUCKET_KEY}/one`,
        googleManagedEncryptionEnforcementConfig: restricted('FullyRestricted'),
        customerManagedEncryptionEnforcementConfig: restricted('NotRestricted'),
        customerSuppliedEncryptionEnforcementConfig: restricted('FullyRestricted'),
      },
      change: { at: ['defaultKmsKeyName'], to: `${BUCKET_KEY}/two` },
      changePaths: ['encryption.defaultKmsKeyName'],
    },
    {
      at: ['hierarchicalNamespace'],
      set: { enabled: true },
      change: { at: ['enabled'], to: false },
      changePaths: ['hierarchicalNamespace.enabled'],
      with: [{ at: ['iamConfiguration', 'uniformBucketLevelAccess'], value: { enabled: true } }],
      replaces: true,
      changeToDefault: true,
    },
    {
      at: ['ipFilter'],
      set: {
        mode: 'Enabled',
        publicNetworkSource: { allowedIpCidrRanges: ['203.0.113.0/24'] },
        vpcNetworkSources: [{ network: 'projects/round-trip-project/global/networks/default', allowedIpCidrRanges: ['10.0.0.0/8'] }],
        allowCrossOrgVpcs: true,
        allowAllServiceAgentAccess: true,
      },
      change: { at: ['mode'], to: 'Disabled' },
      changePaths: ['ipFilter.mode'],
    },
    {
      at: ['logging'],
      set: { logBucketRef: { name: LOGS }, logObjectPrefix: 'usage' },
      change: { at: ['logObjectPrefix'], to: 'usage2' },
      changePaths: ['logging.logObjectPrefix'],
    },
    { at: ['logging'], set: { logBucket: 'rt-external-logs' }, change: { at: ['logBucket'], to: 'rt-external-logs2' }, changePaths: ['logging.logBucket'] },
    { at: ['objectRetention'], set: { mode: 'Enabled' }, change: { to: null }, changePaths: [], replaces: true, noChange: 'Enabled is its only value' },
    {
      at: ['retentionPolicy'],
      set: { retentionPeriod: 86400 },
      change: { at: ['retentionPeriod'], to: 172800 },
      changePaths: ['retentionPolicy.retentionPeriod'],
    },
    {
      at: ['rpo'],
      set: 'ASYNC_TURBO',
      change: { to: 'DEFAULT' },
      changePaths: ['rpo'],
      with: [{ at: ['location'], value: 'ASIA1' }],
      replaces: true,
      changeInPlace: true,
      changeToDefault: true,
    },
    {
      at: ['website'],
      set: { mainPageSuffix: 'index.html', notFoundPage: '404.html' },
      change: { at: ['notFoundPage'], to: 'missing.html' },
      changePaths: ['website.notFoundPage'],
    },
  ],
};

export const SERVICE_ACCOUNT_ROUND_TRIP: KindRoundTrip = {
  kind: 'ServiceAccount',
  name: 'rt-account',
  base: {},
  cases: [
    { at: ['displayName'], set: 'Round trip', change: { to: 'Round trip 2' }, changePaths: ['displayName'] },
    { at: ['description'], set: 'What it is for', change: { to: 'What else it is for' }, changePaths: ['description'] },
    { at: ['disabled'], set: true, change: { to: false }, changePaths: ['disabled'], changeToDefault: true },
  ],
};

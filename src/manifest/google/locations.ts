// Where each API can put a resource: the one list musectl checks locations against before any
// call, so a typo (asia-northeast-1, us-central) is a located error instead of a failed apply.
//
// Sources, compiled 2025-12-01 (when Google opens a region, add it here with its source):
//   Cloud Run:          https://cloud.google.com/run/docs/locations (Tier 1 and Tier 2 lists)
//   Google Cloud:       https://cloud.google.com/about/locations (every region; Secret Manager and
//                       Artifact Registry are offered in each: https://cloud.google.com/secret-manager/docs/locations,
//                       https://cloud.google.com/artifact-registry/docs/repositories/repo-locations)
//   Artifact Registry:  multi-regions us, europe, asia (repo-locations above)
//   Cloud Storage:      https://cloud.google.com/storage/docs/locations (regions, the predefined
//                       dual-regions and the multi-regions US, EU, ASIA)

export const LOCATIONS_COMPILED = '2025-12-01';

/** Every Google Cloud region. */
const REGIONS = [
  'africa-south1',
  'asia-east1',
  'asia-east2',
  'asia-northeast1',
  'asia-northeast2',
  'asia-northeast3',
  'asia-south1',
  'asia-south2',
  'asia-southeast1',
  'asia-southeast2',
  'australia-southeast1',
  'australia-southeast2',
  'europe-central2',
  'europe-north1',
  'europe-north2',
  'europe-southwest1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west6',
  'europe-west8',
  'europe-west9',
  'europe-west10',
  'europe-west12',
  'me-central1',
  'me-central2',
  'me-west1',
  'northamerica-northeast1',
  'northamerica-northeast2',
  'northamerica-south1',
  'southamerica-east1',
  'southamerica-west1',
  'us-central1',
  'us-east1',
  'us-east4',
  'us-east5',
  'us-south1',
  'us-west1',
  'us-west2',
  'us-west3',
  'us-west4',
];

/** Regions Cloud Run's locations page (Tier 1 and Tier 2) does not list. */
const NOT_ON_CLOUD_RUN = ['europe-north2', 'northamerica-south1'];
const CLOUD_RUN = REGIONS.filter((r) => !NOT_ON_CLOUD_RUN.includes(r));

/** Cloud Storage's predefined dual-regions and multi-regions (upper case, as the API stores them). */
export const STORAGE_DUAL_REGIONS = ['ASIA1', 'EUR4', 'EUR5', 'EUR7', 'EUR8', 'NAM4'];
export const STORAGE_MULTI_REGIONS = ['ASIA', 'EU', 'US'];
const STORAGE_DUAL_AND_MULTI = [...STORAGE_DUAL_REGIONS, ...STORAGE_MULTI_REGIONS];

export interface LocationList {
  /** Who offers these: for the message. */
  what: string;
  source: string;
  names: readonly string[];
  /** Compare without case (Cloud Storage). */
  caseInsensitive?: boolean;
}

export const LOCATIONS = {
  cloudRun: { what: 'Cloud Run region', source: 'https://cloud.google.com/run/docs/locations', names: CLOUD_RUN },
  storage: {
    what: 'Cloud Storage location',
    source: 'https://cloud.google.com/storage/docs/locations',
    names: [...REGIONS.map((r) => r.toUpperCase()), ...STORAGE_DUAL_AND_MULTI],
    caseInsensitive: true,
  },
  artifactRegistry: {
    what: 'Artifact Registry location',
    source: 'https://cloud.google.com/artifact-registry/docs/repositories/repo-locations',
    names: [...REGIONS, 'us', 'europe', 'asia'],
  },
  secretManager: { what: 'Secret Manager location', source: 'https://cloud.google.com/secret-manager/docs/locations', names: REGIONS },
} satisfies Record<string, LocationList>;

export function isKnownLocation(list: LocationList, location: string): boolean {
  return list.caseInsensitive ? list.names.includes(location.toUpperCase()) : list.names.includes(location);
}

// The URLs Cloud Run gives a service (gcp-api-facts.md §1):
// - deterministic: https://SERVICE-PROJECT_NUMBER.REGION.run.app (when "SERVICE-NUMBER" fits a 63-char DNS label);
// - hash form: https://SERVICE-HASH-RC.a.run.app, HASH 10 characters fixed per project (the same hash
//   appears on every service and region of one project) and RC a region code.
// `uri` is the hash form; `urls` lists the deterministic one first, then the hash form.
import { createHash } from 'node:crypto';

/**
 * Region codes of the hash-form URLs, as observed on public *.a.run.app hosts (one service deployed
 * per region by the same project). Regions not listed get a derived two-letter code.
 */
const REGION_CODES: Record<string, string> = {
  'africa-south1': 'bq',
  'asia-east1': 'de',
  'asia-east2': 'df',
  'asia-northeast1': 'an',
  'asia-northeast2': 'dt',
  'asia-northeast3': 'du',
  'asia-south1': 'el',
  'asia-south2': 'em',
  'asia-southeast1': 'as',
  'asia-southeast2': 'et',
  'australia-southeast1': 'ts',
  'australia-southeast2': 'km',
  'europe-central2': 'lm',
  'europe-north1': 'lz',
  'europe-north2': 'ma',
  'europe-southwest1': 'no',
  'europe-west1': 'ew',
  'europe-west2': 'nw',
  'europe-west3': 'ey',
  'europe-west4': 'ez',
  'europe-west6': 'oa',
  'europe-west8': 'oc',
  'europe-west9': 'od',
  'europe-west10': 'oe',
  'europe-west12': 'og',
  'me-central1': 'ww',
  'me-central2': 'wx',
  'me-west1': 'zf',
  'northamerica-northeast1': 'nn',
  'northamerica-northeast2': 'pd',
  'southamerica-east1': 'rj',
  'southamerica-west1': 'tl',
  'us-central1': 'uc',
  'us-east1': 'ue',
  'us-east4': 'uk',
  'us-east5': 'ul',
  'us-south1': 'vp',
  'us-west1': 'uw',
  'us-west2': 'wl',
  'us-west3': 'wm',
  'us-west4': 'wn',
};

/** The regions Cloud Run serves in (its locations list; these are also the regions above). */
export const CLOUD_RUN_REGIONS: ReadonlySet<string> = new Set(Object.keys(REGION_CODES));

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function regionCode(region: string): string {
  const known = REGION_CODES[region];
  if (known) return known;
  const h = createHash('sha256').update(region).digest();
  return LETTERS[h[0] % 26] + LETTERS[h[1] % 26];
}

/**
 * The 10-character per-project hash of *.a.run.app hosts. Google's are lower-case base32 whose last
 * character is always 'a' or 'q' (padding bits), e.g. "5tkroniexa", "uvb3o4q2mq"; these look the same.
 */
export function projectHash(projectNumber: string): string {
  const h = createHash('sha256').update(`run.app/${projectNumber}`).digest();
  let out = '';
  for (let i = 0; i < 9; i++) out += BASE32[h[i] % 32];
  return out + (h[9] % 2 ? 'q' : 'a');
}

export function hashHost(service: string, projectNumber: string, region: string): string {
  return `${service}-${projectHash(projectNumber)}-${regionCode(region)}.a.run.app`;
}

export interface ServiceUrls {
  uri: string;
  urls: string[];
}

export function serviceUrls(service: string, projectNumber: string, region: string): ServiceUrls {
  const hashed = `https://${hashHost(service, projectNumber, region)}`;
  const label = `${service}-${projectNumber}`;
  const urls = label.length <= 63 ? [`https://${label}.${region}.run.app`, hashed] : [hashed];
  return { uri: hashed, urls };
}

/** URL of a traffic tag: https://TAG---SERVICE-HASH-RC.a.run.app */
export function tagUri(tag: string, service: string, projectNumber: string, region: string): string {
  return `https://${tag}---${hashHost(service, projectNumber, region)}`;
}

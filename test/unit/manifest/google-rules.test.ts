// Google's create-time rules checked in code (src/manifest/google/): the pieces, one by one. The
// whole path (a manifest in, a located error out, no API call) is in test/reliability/corpus.test.ts.
import { describe, expect, it } from 'vitest';
import { imageProblem } from '../../../src/manifest/google/image.js';
import { googleLookalike } from '../../../src/manifest/google/rules.js';

describe('bucket names that read as "google"', () => {
  it.each([
    ['my-google-bucket', 'google'],
    ['g00gle-data', 'g00gle'],
    ['goog1e-x', 'goog1e'],
    ['data-gogle', 'gogle'],
    ['gooogle', 'gooogle'],
    ['a-googel', 'googel'],
    ['go-ogle', 'go-ogle'],
  ])('%s contains %s', (name, found) => expect(googleLookalike(name)).toBe(found));

  it.each(['goggles-shop', 'sessionmuse-uploads-p', 'bingo-glee', 'goodle'])('%s is fine', (name) => expect(googleLookalike(name)).toBeUndefined());
});

describe('container image references', () => {
  it.each([
    'nginx',
    'nginx:1.27',
    'library/nginx:latest',
    'asia-northeast1-docker.pkg.dev/p/repo/backend:latest',
    'localhost:5000/a/b',
    `us-docker.pkg.dev/cloudrun/container/hello@sha256:${'a'.repeat(64)}`,
    `gcr.io/p/img:v1@sha256:${'b'.repeat(64)}`,
  ])('accepts %s', (image) => expect(imageProblem(image)).toBeUndefined());

  it.each([
    ['UPPER CASE:::', /white space/],
    ['Nginx', /lower case/],
    ['nginx:-bad', /malformed tag/],
    ['nginx@sha256:xyz', /malformed digest/],
    ['host:port/x', /malformed registry port/],
    ['a//b', /malformed path component/],
    [`x/${'a'.repeat(300)}`, /longer than 255/],
  ])('refuses %s', (image, why) => expect(imageProblem(image)).toMatch(why));
});

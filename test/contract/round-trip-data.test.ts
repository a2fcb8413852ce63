// Every field of Secret, ArtifactRegistryRepository, ServiceAccount and Bucket round-trips against the emulator (round-trip.ts).
import { BUCKET_ROUND_TRIP, REPOSITORY_ROUND_TRIP, SECRET_ROUND_TRIP, SECRET_VALUE_ENV, SERVICE_ACCOUNT_ROUND_TRIP } from './round-trip-cases-data.js';
import { describeRoundTrip } from './round-trip-suite.js';

process.env[SECRET_VALUE_ENV] = 'round-trip-secret-value';
describeRoundTrip(SECRET_ROUND_TRIP);
describeRoundTrip(REPOSITORY_ROUND_TRIP);
describeRoundTrip(BUCKET_ROUND_TRIP);
describeRoundTrip(SERVICE_ACCOUNT_ROUND_TRIP);

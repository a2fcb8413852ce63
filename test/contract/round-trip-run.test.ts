// Every field of CloudRunService and CloudRunJob round-trips against the emulator (round-trip.ts).
import { JOB_ROUND_TRIP, RT_SECRET_ENV, SERVICE_ROUND_TRIP } from './round-trip-cases-run.js';
import { describeRoundTrip } from './round-trip-suite.js';

process.env[RT_SECRET_ENV] = 'round-trip-secret-value';
describeRoundTrip(SERVICE_ROUND_TRIP);
describeRoundTrip(JOB_ROUND_TRIP);

import { describe, expect, it } from 'vitest';
import { cpuMillis, durationSeconds, mapPath, memoryBytes } from '../../../src/contract/normalize.js';
import { unknown } from '../../../src/contract/spec.js';

describe('normalizers', () => {
  it('reads CPU as millicpu', () => {
    expect(cpuMillis('1')).toBe(1000);
    expect(cpuMillis('1000m')).toBe(1000);
    expect(cpuMillis(2)).toBe(2000);
    expect(cpuMillis('0.5')).toBe(500);
    expect(cpuMillis('500m')).toBe(500);
    expect(cpuMillis('lots')).toBe('lots');
  });

  it('reads memory as bytes', () => {
    expect(memoryBytes('2Gi')).toBe(memoryBytes('2048Mi'));
    expect(memoryBytes('512Mi')).toBe(512 * 1024 * 1024);
    expect(memoryBytes('1G')).toBe(1e9);
    expect(memoryBytes('1Gi')).not.toBe(memoryBytes('1G'));
  });

  it('reads durations as seconds, including the proto Duration object', () => {
    expect(durationSeconds('60s')).toBe(60);
    expect(durationSeconds('1m')).toBe(60);
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds(60)).toBe(60);
    expect(durationSeconds({ seconds: '300', nanos: 0 })).toBe(300);
    expect(durationSeconds('1.5s')).toBe(1.5);
    expect(durationSeconds('60 seconds')).toBe('60 seconds');
  });

  it('maps values at paths through lists, leaving unknowns and absent fields alone', () => {
    const spec = { t: { cs: [{ r: { cpu: '1' } }, { r: { cpu: '2' } }, {}], timeout: unknown('x') } };
    mapPath(spec, 't.cs[].r.cpu', cpuMillis);
    mapPath(spec, 't.timeout', durationSeconds);
    mapPath(spec, 't.missing.deep', () => 'nope');
    expect(spec).toEqual({ t: { cs: [{ r: { cpu: 1000 } }, { r: { cpu: 2000 } }, {}], timeout: { $unknown: 'x' } } });
  });
});

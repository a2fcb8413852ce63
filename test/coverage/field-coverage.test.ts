// Coverage as a measured figure: every field Google lets a caller set on the messages musectl
// manages (from the protos and discovery documents in node_modules) is in the kind's schema, or
// excluded with its reason in schema/field-exclusions.json. A field Google adds upstream (after an
// upgrade of the client packages) fails this test until it is added or excluded.
import { describe, expect, it } from 'vitest';
import { readSchemas } from '../../src/manifest/schemas.js';
import { coverageTable, measureCoverage, readExclusions } from './coverage.js';

const report = measureCoverage(readSchemas().schemas, readExclusions());

describe('coverage of the settable fields of every managed message', () => {
  it('prints the coverage per message', () => {
    process.stdout.write(`\n${coverageTable(report)}\n`);
    expect(report.rows.length).toBeGreaterThan(0);
  });

  it('leaves no settable field out of the schemas without a reason', () => {
    const missing = report.rows.flatMap((r) => r.missing.map((f) => `${r.kind} spec${r.path ? `.${r.path}` : ''}.${f} (${r.message})`));
    expect(missing).toEqual([]);
  });

  it('declares no output-only field (it would never converge)', () => {
    expect(report.rows.flatMap((r) => r.outputOnlyInSchema.map((f) => `${r.kind} ${r.path}.${f}`))).toEqual([]);
  });

  it('keeps the exclusions file true: each names a field that exists and that the schema does not have', () => {
    expect(report.staleExclusions).toEqual([]);
  });
});

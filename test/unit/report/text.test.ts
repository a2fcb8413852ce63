// The terminal plan, colour off: golden files for the scenarios the markdown report shares, so a
// change to what people read in a terminal is always a deliberate one.
import { describe, expect, it } from 'vitest';
import { makeColors } from '../../../src/cli/output.js';
import { renderPlanText } from '../../../src/report/text.js';
import { CANARY, expectGolden, PLANS, TEXT_PLANS } from './fixtures.js';

const plain = makeColors(false);

describe('renderPlanText', () => {
  for (const name of TEXT_PLANS) {
    it(`matches the golden plan: ${name}`, () => {
      expectGolden(`text-${name}.txt`, renderPlanText(PLANS[name](), plain));
    });
  }

  it('never shows a secret value', () => {
    const text = renderPlanText(PLANS.sensitive(), plain);
    expect(text).not.toContain(CANARY);
    expect(text).toContain('(sensitive value changed)');
  });

  it('writes no escape codes with colour off', () => {
    for (const name of TEXT_PLANS) expect(renderPlanText(PLANS[name](), plain)).not.toContain('\u001b[');
  });
});

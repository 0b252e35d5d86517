import { describe, expect, it } from 'vitest';
import { createPreparationPolicy } from '../../src/store/statement-preparation.js';

describe('createPreparationPolicy', () => {
  it('prepares a text from its threshold-th run on, and every run after', () => {
    const policy = createPreparationPolicy({ threshold: 2, maxTexts: 10 });
    expect(policy.shouldPrepare('select 1')).toBe(false);
    expect(policy.shouldPrepare('select 2')).toBe(false);
    expect(policy.shouldPrepare('select 1')).toBe(true);
    expect(policy.shouldPrepare('select 1')).toBe(true);
    expect(policy.preparedCount()).toBe(1);
  });

  it('prepares no more than maxTexts texts, keeping those it prepared', () => {
    const policy = createPreparationPolicy({ threshold: 1, maxTexts: 2 });
    expect(['a', 'b', 'c'].map((text) => policy.shouldPrepare(text))).toEqual([true, true, false]);
    expect(policy.shouldPrepare('a')).toBe(true);
    expect(policy.shouldPrepare('c')).toBe(false);
    expect(policy.preparedCount()).toBe(2);
  });

  it('forgets the runs it counted when one-off texts pile up, so they take no memory without bound', () => {
    const policy = createPreparationPolicy({ threshold: 2, maxTexts: 1 });
    policy.shouldPrepare('hot');
    // Four times maxTexts texts counted: the counts are cleared, so 'hot' starts again from one run.
    for (let i = 0; i < 4; i += 1) policy.shouldPrepare(`once ${i}`);
    expect(policy.shouldPrepare('hot')).toBe(false);
    expect(policy.shouldPrepare('hot')).toBe(true);
  });
});

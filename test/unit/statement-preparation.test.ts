import { describe, expect, it } from 'vitest';
import { createPreparationPolicy } from '../../src/store/statement-preparation.js';

describe('createPreparationPolicy', () => {
  it('prepares only statements that begin by inserting, whose plan cannot go stale as tables grow', () => {
    const policy = createPreparationPolicy({ threshold: 1, maxTexts: 10 });
    expect(policy.shouldPrepare('insert into "sessions" ("id") values ($1)')).toBe(true);
    expect(policy.shouldPrepare('  INSERT\n into x select * from unnest($1::int[])')).toBe(true);
    expect(policy.shouldPrepare('with created as (\n insert into customers (id) values ($1) returning id) select id from created')).toBe(true);
    expect(policy.shouldPrepare('select * from scim_users where lower(user_name) = lower($1)')).toBe(false);
    expect(policy.shouldPrepare('update credentials set failed_attempts = $1 where customer_id = $2')).toBe(false);
    expect(policy.shouldPrepare('delete from sessions where id = $1')).toBe(false);
    expect(policy.shouldPrepare('with page as (select * from customers) insert into log select id from page')).toBe(false);
    expect(policy.preparedCount()).toBe(3);
  });

  it('prepares a text from its threshold-th run on, and every run after', () => {
    const policy = createPreparationPolicy({ threshold: 2, maxTexts: 10 });
    expect(policy.shouldPrepare('insert into a values (1)')).toBe(false);
    expect(policy.shouldPrepare('insert into b values (2)')).toBe(false);
    expect(policy.shouldPrepare('insert into a values (1)')).toBe(true);
    expect(policy.shouldPrepare('insert into a values (1)')).toBe(true);
    expect(policy.preparedCount()).toBe(1);
  });

  it('prepares no more than maxTexts texts, keeping those it prepared', () => {
    const policy = createPreparationPolicy({ threshold: 1, maxTexts: 2 });
    expect(['a', 'b', 'c'].map((text) => policy.shouldPrepare(`insert into ${text} default values`))).toEqual([true, true, false]);
    expect(policy.shouldPrepare('insert into a default values')).toBe(true);
    expect(policy.shouldPrepare('insert into c default values')).toBe(false);
    expect(policy.preparedCount()).toBe(2);
  });

  it('forgets the runs it counted when one-off texts pile up, so they take no memory without bound', () => {
    const policy = createPreparationPolicy({ threshold: 2, maxTexts: 1 });
    const hot = 'insert into hot default values';
    policy.shouldPrepare(hot);
    // Four times maxTexts texts counted: the counts are cleared, so the hot text starts again from one run.
    for (let i = 0; i < 4; i += 1) policy.shouldPrepare(`insert into once${i} default values`);
    expect(policy.shouldPrepare(hot)).toBe(false);
    expect(policy.shouldPrepare(hot)).toBe(true);
  });
});

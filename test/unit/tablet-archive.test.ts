import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appSettingsOf, DEFAULT_ARCHIVE_DAYS, parseArchiveDays } from '../../domain/archive-settings';
import { isArchivable, isReassignedAway } from '../../domain/tablet-archive';

const now = new Date('2026-12-01T12:00:00.000Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 3600_000).toISOString();

describe('what leaves the tablet', () => {
  test('an approved inspection, once its last change is the period old', () => {
    assert.equal(isArchivable({ status: 'approved', updatedAt: daysAgo(30) }, 30, now), true);
    assert.equal(isArchivable({ status: 'approved', updatedAt: daysAgo(29.9) }, 30, now), false);
    assert.equal(isArchivable({ status: 'approved', updatedAt: daysAgo(0) }, 0, now), true);
    for (const status of ['draft', 'submitted', 'rejected'] as const) {
      assert.equal(isArchivable({ status, updatedAt: daysAgo(400) }, 30, now), false, status);
    }
    assert.equal(isArchivable({ status: 'approved', updatedAt: 'not a date' }, 30, now), false);
  });

  test('an inspection a supervisor took from the user, not one they assigned to someone else', () => {
    assert.equal(isReassignedAway({ assignedTo: 'bob', unassignedFrom: 'alice' }, 'alice'), true);
    assert.equal(isReassignedAway({ assignedTo: 'alice', unassignedFrom: 'bob' }, 'alice'), false);
    // Sam created it for alice: it sits in his own database, and was never his to lose.
    assert.equal(isReassignedAway({ assignedTo: 'alice' }, 'sam'), false);
    assert.equal(isReassignedAway({ assignedTo: 'bob', unassignedFrom: 'carol' }, 'alice'), false);
  });
});

describe('the archive period setting', () => {
  test('whole days from 0 to ten years; anything else is the default when read, and refused when typed', () => {
    assert.deepEqual(appSettingsOf({ archiveDays: 45 }), { archiveDays: 45 });
    assert.deepEqual(appSettingsOf(null), { archiveDays: DEFAULT_ARCHIVE_DAYS });
    assert.deepEqual(appSettingsOf({ archiveDays: -1 }), { archiveDays: DEFAULT_ARCHIVE_DAYS });
    assert.deepEqual(appSettingsOf({ archiveDays: '45' }), { archiveDays: DEFAULT_ARCHIVE_DAYS });
    assert.deepEqual(parseArchiveDays(' 45 '), { days: 45 });
    assert.deepEqual(parseArchiveDays('0'), { days: 0 });
    for (const bad of ['', '4.5', '-3', 'ten', '3651']) assert.ok('error' in parseArchiveDays(bad), bad);
  });
});

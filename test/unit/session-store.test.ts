import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CouchAdmin } from '../../couch/couch-admin';
import { keyOf, SessionStore } from '../../proxy/session-store';

/** A sessions database in memory that counts reads and answers them only when told to. */
function sessionsDb() {
  const docs = new Map<string, Record<string, unknown>>();
  const waiting: (() => void)[] = [];
  const db = {
    reads: 0,
    held: false,
    async get(id: string) {
      db.reads++;
      if (db.held) await new Promise<void>((resolve) => waiting.push(resolve));
      const doc = docs.get(id);
      if (!doc) throw Object.assign(new Error('missing'), { statusCode: 404 });
      return doc;
    },
    async insert(doc: Record<string, unknown>) {
      docs.set(doc['_id'] as string, { ...doc, _rev: '1-a' });
      return { rev: '1-a' };
    },
    release() {
      db.held = false;
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
  const couch = { use: () => db } as unknown as CouchAdmin;
  return { db, couch };
}

const DAY_MS = 24 * 3600_000;
const session = { name: 'alice', roles: ['inspector'], couchCookie: 'AuthSession=x' };

describe('the session store', () => {
  test('a thousand requests of a session not cached here make one database read', async () => {
    const { db, couch } = sessionsDb();
    const id = await new SessionStore(couch, DAY_MS).create(session);
    // Another proxy process: its cache is cold.
    const cold = new SessionStore(couch, DAY_MS);
    db.held = true;
    const answers = Array.from({ length: 1000 }, () => cold.get(id));
    db.release();
    const found = await Promise.all(answers);
    assert.equal(db.reads, 1);
    assert.ok(found.every((s) => s?.name === 'alice'));
    await cold.get(id);
    assert.equal(db.reads, 1, 'then cached');
  });

  test('a session ended while it was being read is not brought back', async () => {
    const { db, couch } = sessionsDb();
    const id = await new SessionStore(couch, DAY_MS).create(session);
    const cold = new SessionStore(couch, DAY_MS);
    db.held = true;
    const answer = cold.get(id);
    cold.forgetKey(keyOf(id));
    db.release();
    assert.equal(await answer, null);
    assert.equal(await cold.get(id), null);
  });
});

import type { CouchAdmin } from './couch-admin';
import { isConflict, isNotFound } from './couch-admin';
import { fieldbookDesignDoc } from './design-docs';
import { MANGO_INDEXES, RETIRED_MANGO_INDEXES, isListedIndex, type MangoIndex } from '../domain/mango-indexes';
import { adminOnly, type SecurityObject } from './security';

/** Creates the database when missing; every step here is idempotent. */
export async function ensureDatabase(couch: CouchAdmin, name: string): Promise<void> {
  try {
    await couch.db.create(name);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 412) throw error;
  }
}

export async function ensureSecurity(couch: CouchAdmin, dbName: string, security: SecurityObject): Promise<void> {
  const path = `${encodeURIComponent(dbName)}/_security`;
  const current = await couch.request({ path });
  if (JSON.stringify(normalise(current)) === JSON.stringify(security)) return;
  await couch.request({ method: 'PUT', path, body: security });
}

/** Closes a database to everyone but server admins, keeping its data; a missing one is fine. */
export async function lockDatabase(couch: CouchAdmin, dbName: string): Promise<void> {
  try {
    await ensureSecurity(couch, dbName, adminOnly());
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** Whether the database exists closed to everyone but server admins, as a removal leaves it. */
export async function isLockedDatabase(couch: CouchAdmin, dbName: string): Promise<boolean> {
  try {
    const current = await couch.request({ path: `${encodeURIComponent(dbName)}/_security` });
    return JSON.stringify(normalise(current)) === JSON.stringify(adminOnly());
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

function normalise(security: Partial<SecurityObject>): SecurityObject {
  const names = (group?: { names?: string[]; roles?: string[] }) => ({
    names: [...(group?.names ?? [])].sort(),
    roles: [...(group?.roles ?? [])].sort(),
  });
  return { admins: names(security.admins), members: names(security.members) };
}

/** Installs or updates Fieldbook's design doc and Mango indexes, writing only what changed. */
export async function ensureFieldbookDesign(couch: CouchAdmin, dbName: string): Promise<void> {
  await ensureDesignDoc(couch, dbName, fieldbookDesignDoc());
  await ensureMangoIndexes(couch, dbName, MANGO_INDEXES, RETIRED_MANGO_INDEXES);
}

/** Installs or updates one design doc, writing only when its content changed. */
export async function ensureDesignDoc(couch: CouchAdmin, dbName: string, wanted: { _id: string }): Promise<void> {
  const db = couch.use(dbName);
  let current: Record<string, unknown> | null = null;
  try {
    current = (await db.get(wanted._id)) as unknown as Record<string, unknown>;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (current && sameDesign(current, wanted)) return;
  try {
    await db.insert({ ...wanted, _rev: current?.['_rev'] as string | undefined });
  } catch (error) {
    // Another bootstrap wrote it at the same moment; its content is the same.
    if (!isConflict(error)) throw error;
  }
}

/** Creates the `indexes` a database lacks, and deletes the `retired` ones it has. */
export async function ensureMangoIndexes(
  couch: CouchAdmin,
  dbName: string,
  indexes: readonly MangoIndex[],
  retired: readonly MangoIndex[] = [],
): Promise<void> {
  const existing = (await couch.request({ path: `${encodeURIComponent(dbName)}/_index` })) as {
    indexes: { ddoc: string | null; name: string }[];
  };
  const has = (index: MangoIndex) => isListedIndex(index, existing.indexes);
  // Each of our indexes has a design document of its own, so deleting that document deletes the
  // index (PouchDB Server 4.2 answers `DELETE /{db}/_index/…` with a 500; CouchDB takes either).
  for (const index of retired.filter(has)) await deleteDesignDoc(couch, dbName, `_design/${index.ddoc}`);
  for (const index of indexes) {
    if (has(index)) continue;
    await couch.request({
      method: 'POST',
      path: `${encodeURIComponent(dbName)}/_index`,
      body: { index: { fields: index.fields }, ddoc: index.ddoc, name: index.name, type: 'json' },
    });
  }
}

async function deleteDesignDoc(couch: CouchAdmin, dbName: string, id: string): Promise<void> {
  const db = couch.use(dbName);
  try {
    const { _rev } = await db.get(id);
    await db.destroy(id, _rev);
  } catch (error) {
    // Another bootstrap deleted it first.
    if (!isNotFound(error) && !isConflict(error)) throw error;
  }
}

function sameDesign(current: Record<string, unknown>, wanted: object): boolean {
  const { _rev, ...body } = current;
  return JSON.stringify(body) === JSON.stringify(wanted);
}

import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { CouchAdmin } from '../couch/couch-admin';
import { HUB_DB } from '../domain/db-names';
import { photoPartnersOf, photoShareKey } from '../domain/partner-share';
import type { PhotoDoc } from '../domain/doc-types';
import { isDefectId, isPhotoId, photoIdRangeOf } from '../domain/photo-doc';
import type { ChangeRow, ChangesHandler } from './changes-follower';
import type { SharedDoc } from './partner-withdrawal';

export interface PhotoSharingOptions {
  couch: CouchAdmin;
  logger: Logger;
  /** Where its metrics go: the proxy's registry, or a cluster primary's. */
  registry: Registry;
}

/**
 * Gives each full-size photo in the hub its defect's partners while the defect is shared, and
 * none once it is not (domain/partner-share.ts, `photoPartnersOf`): a partner job's selector
 * cannot join a photo to its defect. Done here, not by the supervisor's tablet after its
 * decision, because a second write from a tablet can fail on its own (a reopened inspection's
 * photos then stayed with the partner), and a photo can reach the hub after the decision.
 * A photo that stops being shared is then withdrawn by the partner withdrawal, like a record.
 *
 * It hears the hub's changes from the hub work's follower (hub-work.ts): a changed defect
 * brings its photos up to date, a photo that arrives or changes is checked against its defect.
 * The batch may be older than the hub; a later change of the defect comes in its turn.
 */
export function photoSharing(options: PhotoSharingOptions): ChangesHandler<SharedDoc> {
  const hub = options.couch.use<SharedDoc>(HUB_DB);
  // The share each defect's photos were last brought to (`photoShareKey`): most defect changes
  // (work in progress) leave it as it was and cost no read. Lost on restart, when each is read once more.
  const settled = new LRUCache<string, string>({ max: 20_000 });
  const written = new Counter({
    name: 'fieldbook_photo_shares_total',
    help: "Full-size photos in the hub given their defect's partners, or none.",
    registers: [options.registry],
  });

  /** Each defect the batch's photos need: as this batch has it, else as the hub has it now (null when gone). */
  const defectsFor = async (rows: ChangeRow<SharedDoc>[]) => {
    const defects = new Map<string, SharedDoc | null>();
    for (const row of rows) {
      if (!isDefectId(row.id)) continue;
      const defect = row.deleted ? null : (row.doc ?? null);
      defects.set(row.id, defect);
      // A new defect never shared any photo (one given partners of its own is checked as a photo): no read.
      if (defect?._rev.startsWith('1-')) settled.set(row.id, photoShareKey(null));
    }
    const missing = [...new Set(photosIn(rows).map((photo) => photo['defectId'] as string))].filter((id) => !defects.has(id));
    if (missing.length) {
      const { rows: found } = await hub.fetch({ keys: missing }, { conflicts: true });
      for (const row of found) {
        if ('key' in row) defects.set(row.key, 'doc' in row && row.doc ? (row.doc as SharedDoc) : null);
      }
    }
    return defects;
  };

  return {
    async handle(rows) {
      const defects = await defectsFor(rows);
      const photos = new Map(photosIn(rows).map((photo) => [photo._id, photo]));
      for (const [defectId, defect] of defects) {
        if (settled.get(defectId) === photoShareKey(defect)) continue;
        const range = { ...photoIdRangeOf(defectId), include_docs: true };
        for (const row of (await hub.list(range)).rows) if (row.doc) photos.set(row.id, row.doc);
      }
      const changed = [...photos.values()].flatMap((photo) => {
        const list = photoPartnersOf(defects.get(photo['defectId'] as string) ?? null, photo as unknown as PhotoDoc);
        return sameList(photo['partners'], list) ? [] : [withPartners(photo, list)];
      });
      if (changed.length) {
        for (const result of await hub.bulk({ docs: changed })) {
          // A conflict is a newer revision of the photo: a change of the hub, checked in its turn.
          if (!result.error) written.inc();
          else if (result.error !== 'conflict')
            options.logger.error({ id: result.id, reason: result.reason }, 'photo sharing: a write was refused');
        }
      }
      for (const [defectId, defect] of defects) settled.set(defectId, photoShareKey(defect));
    },
  };
}

function photosIn(rows: ChangeRow<SharedDoc>[]): SharedDoc[] {
  return rows.flatMap((row) => (row.doc && !row.deleted && isPhotoId(row.id) && typeof row.doc['defectId'] === 'string' ? [row.doc] : []));
}

function sameList(current: unknown, wanted: string[]): boolean {
  return JSON.stringify(Array.isArray(current) ? current : []) === JSON.stringify(wanted);
}

/** The photo with these partners; with none, without the field, as it was before it was ever shared. */
function withPartners(photo: SharedDoc, partners: string[]): SharedDoc {
  const { partners: _previous, _conflicts: _leaves, ...rest } = photo;
  return (partners.length ? { ...rest, partners } : rest) as SharedDoc;
}

import { ancestorRevs } from '../../../domain/conflicts/revision-tree';
import { LeafDoc } from '../../../domain/conflicts/stored-doc';
import { Inspection } from '../../../domain/doc-types';
import { Database } from '../core/pouchdb';

/**
 * Whether someone decided on an inspection after `decided` (a decision as written) and before
 * `current` (the inspection in the hub now): `current` does not descend from it, or it or a
 * revision in between carries another status (a decision changed away and back, perhaps the
 * same way again). An edit of another field is no decision. A revision in between whose body
 * the hub no longer has (compacted) counts as one: better to refuse an undo than to guess.
 */
export async function decidedSince(hub: Database, current: Inspection, decided: Inspection): Promise<boolean> {
  if (current.status !== decided.status) return true;
  if (current._rev === decided._rev) return false;
  const stored = (await hub.get(current._id, { rev: current._rev, revs: true })) as unknown as LeafDoc;
  const history = [stored._rev, ...ancestorRevs(stored)];
  const at = history.indexOf(decided._rev!);
  if (at < 0) return true;
  const between = history.slice(1, at);
  if (between.length === 0) return false;
  const rows = await hub.get<Inspection>(current._id, { open_revs: between });
  return rows.some((row) => !('ok' in row) || row.ok.status !== decided.status);
}

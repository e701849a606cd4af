import { PULL_SELECTOR } from '../../../domain/photo-doc';

/**
 * Documents per replication batch, both ways. Larger than PouchDB's 100 to halve the round
 * trips (and checkpoint writes) of a sync; `bench/browser-sync.ts` measures with it.
 */
export const REPLICATION_BATCH_SIZE = 250;

/**
 * Changes per request in a device's first pull (initial-pull.ts): twice the replication's,
 * as each batch costs the page a fixed amount of work besides its documents; attachments
 * are fetched in bounded groups, so a batch of defects with photos stays small in memory.
 */
export const INITIAL_PULL_BATCH_SIZE = 500;

/**
 * What the push replication sends: everything but the device's own Mango index docs
 * (members may not write design docs).
 *
 * PouchDB names a replication's checkpoint (`_local/<id>`) after its filter: the source of
 * a filter function, or the JSON of a Mango selector. A selector is data, so the name is
 * the same in every build (a minifier renamed the function this replaced, and with it the
 * checkpoint). Changing this selector, even its key order, restarts every tablet's push from
 * sequence 0: `replication-options.spec.ts` pins the name.
 */
export const PUSH_OPTIONS = {
  selector: { _id: { $regex: '^(?!_design/)' } },
  batch_size: REPLICATION_BATCH_SIZE,
};

/**
 * The pull leaves full-size photo documents on the server (domain/photo-doc.ts: opened ones
 * are fetched on demand). A Mango `selector`, not a filter function: a function runs in the
 * browser, so PouchDB asks for `include_docs` and fetches every body twice (the changes feed,
 * then `_bulk_get`); a selector is CouchDB's `_selector` filter, run on the server, and the
 * feed carries ids and revisions only (bench/README.md measures both). The server's design
 * docs it brings are inert in the browser and ignored by the push ledger and the conflict index.
 *
 * The selector is part of the checkpoint name: adding it made every tablet's pull start once
 * more from sequence 0 (a `_revs_diff` of what it holds, no document fetched again).
 */
export const PULL_OPTIONS = {
  selector: PULL_SELECTOR,
  batch_size: REPLICATION_BATCH_SIZE,
};

/**
 * Documents per replication batch, both ways. Larger than PouchDB's 100 to halve the round
 * trips (and checkpoint writes) of a first sync; `bench/browser-sync.ts` measures with it.
 */
export const REPLICATION_BATCH_SIZE = 250;

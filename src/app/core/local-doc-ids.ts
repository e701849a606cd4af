/**
 * The `_local` documents the app keeps in the user's database: device state that is never
 * replicated. One list, so moving a database to a new store knows what to carry.
 */
export const LOCAL_DOC_IDS = {
  /** Unsynced edits: the push checkpoint (a local sequence) and the server's refusals. */
  pushLedger: '_local/fieldbook-push-ledger',
  /**
   * How far the push ledger read the changes feed (a local sequence) and the local edits it found
   * up to there, so a restart offline does not count what the pull brought as edits. Not carried
   * to a new store (idb-store-move.ts): its sequences mean nothing there.
   */
  pushLedgerReading: '_local/fieldbook-push-ledger-reading',
  /** Which documents are conflicted, and the local sequence read up to. */
  conflictIndex: '_local/fieldbook-conflict-index',
  /** What was typed and not saved. */
  drafts: '_local/fieldbook-drafts',
  /** A prefix: the bytes of one photo picked for a defect not saved yet, `<prefix><stem>`, listed by its draft. */
  draftPhotoPrefix: '_local/fieldbook-draft-photo:',
  /** When each full-size photo here was last opened (the photo cache's least recently used). */
  photoCache: '_local/fieldbook-photo-cache',
  /** How far the device's first pull got (a server sequence). */
  initialPull: '_local/fieldbook-initial-pull',
  /** Inspections archived off this device (what the list says of them), and those back whose records are still to come from the server. */
  archive: '_local/fieldbook-archive',
  /** Inspections reassigned away and let go, with who they went to (told once). */
  reassigned: '_local/fieldbook-reassigned',
  /** Defects of inspections kept over their deletion still to come back, once the server answers. */
  defectRestore: '_local/fieldbook-defect-restore',
  /** Where releases before the split of the ledger kept both the push and the conflict state. */
  oldSyncLedger: '_local/fieldbook-sync-ledger',
} as const;

import { copyOf, type SharedDoc } from './partner-withdrawal';

/** Past this many live copies in one partner database, it is asked about every unshared document (bounded memory). */
const MAX_TRACKED = 200_000;

/**
 * The documents one partner database holds a live copy of, so that the hub side of the
 * withdrawal asks it only about those: most hub changes (work in progress, rejections) were
 * never shared, and asking every partner database about every batch of the hub made each hub
 * write cost one request per partner.
 *
 * Seeded from the database's `_all_docs`, then kept by its follower, which notes each copy
 * before it checks the hub. So an id missing here is a copy that follower has not read yet, and
 * it checks the hub itself when it does: the hub side skipping it leaves nothing behind. An id
 * here that is no longer held costs one request, as before.
 */
export class PartnerHoldings {
  private readonly ids = new Set<string>();
  private seeded: Promise<void> | null = null;
  private untracked = false;

  /** `listIds`: the ids of the database's live documents. */
  constructor(private readonly listIds: () => Promise<string[]>) {}

  /** Of these ids, those the database may hold; rejects if it could not be listed (the round is retried). */
  async mayHold(ids: readonly string[]): Promise<string[]> {
    await (this.seeded ??= this.seed());
    return this.untracked ? [...ids] : ids.filter((id) => this.ids.has(id));
  }

  /** What the database's follower read, before it checks the hub. */
  note(docs: readonly SharedDoc[]): void {
    for (const doc of docs) {
      if (copyOf(doc)) this.add(doc._id);
      else this.ids.delete(doc._id);
    }
  }

  private async seed(): Promise<void> {
    try {
      for (const id of await this.listIds()) this.add(id);
    } catch (error) {
      this.seeded = null;
      throw error;
    }
  }

  private add(id: string): void {
    if (this.untracked) return;
    this.ids.add(id);
    if (this.ids.size <= MAX_TRACKED) return;
    this.untracked = true;
    this.ids.clear();
  }
}

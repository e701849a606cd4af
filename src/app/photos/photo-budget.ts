/** A full-size photo document held on this device. */
export interface LocalPhoto {
  id: string;
  bytes: number;
  /** When it was last opened here (or taken), in ms. */
  usedAt: number;
  /** The server does not have it yet (pending or refused): never dropped. */
  unsynced: boolean;
}

/**
 * The photos to drop so the rest fit `budget` bytes: least recently used first, never an
 * unsynced one (it counts towards the budget all the same).
 */
export function photosToEvict(photos: readonly LocalPhoto[], budget: number): string[] {
  let total = photos.reduce((sum, photo) => sum + photo.bytes, 0);
  const evicted: string[] = [];
  for (const photo of [...photos].filter((candidate) => !candidate.unsynced).sort((a, b) => a.usedAt - b.usedAt)) {
    if (total <= budget) break;
    evicted.push(photo.id);
    total -= photo.bytes;
  }
  return evicted;
}

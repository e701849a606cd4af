/**
 * Runs `work` for each index from 0 to `count - 1`, at most `limit` of them at once, each next
 * one as soon as one finishes; resolves when all have. Rejects with the first failure.
 */
export async function atMostAtOnce(limit: number, count: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

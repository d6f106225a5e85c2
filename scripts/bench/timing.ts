// Timing one operation several times in a row: the best run is the closest to the operation's own
// cost on a busy machine, the median says how steady it was. Shared by the bench and report:time.
export async function timeRuns(
  fn: () => Promise<unknown>,
  runs: number,
): Promise<{ bestMs: number; medianMs: number }> {
  const all: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await fn();
    all.push(performance.now() - t);
  }
  all.sort((a, b) => a - b);
  return { bestMs: all[0]!, medianMs: all[Math.floor(all.length / 2)]! };
}

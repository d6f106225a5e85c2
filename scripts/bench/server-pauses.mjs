// Preloaded into the server under the page benchmark (NODE_OPTIONS=--import, scripts/bench/page-load.ts)
// and into the idle probe beside it (startStallProbe, scripts/bench/load.ts): writes each event-loop
// wake-up more than 20 ms late and each garbage collection over 10 ms, with the wall time it ended,
// to BENCH_PAUSES_LOG. The bench reads them per phase (pausesIn), so a p99 far above the median can be
// told apart: the server's own pause, the load generator's or the machine's. It adds a 10 ms timer
// and a GC observer to the server; nothing of the app is changed.
import { appendFileSync } from "node:fs";
import { PerformanceObserver } from "node:perf_hooks";

const file = process.env.BENCH_PAUSES_LOG;
if (file) {
  const note = (line) => appendFileSync(file, `${Date.now()} ${line}\n`);
  let due = performance.now() + 10;
  const tick = () => {
    const late = performance.now() - due;
    if (late > 20) note(`loop ${Math.round(late)}`);
    due = performance.now() + 10;
    setTimeout(tick, 10).unref();
  };
  setTimeout(tick, 10).unref();
  // kind 4 is a full (mark-compact) collection; flags 32 means V8 started it for the memory held
  // outside its heap (Buffers): every long pause of the page benchmark ended in one of those
  // (docs/measurements/pages-cost-log.md, 7 December).
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (e.duration > 10) note(`gc ${Math.round(e.duration)} ${e.detail?.kind ?? 0} ${e.detail?.flags ?? 0}`);
  }).observe({ entryTypes: ["gc"] });
}

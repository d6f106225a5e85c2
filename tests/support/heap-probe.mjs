// Preloaded into a test server (node --expose-gc --import): on SIGUSR2 it collects everything it can
// and writes the live heap's size in bytes to HEAP_PROBE_FILE, so a test can tell memory kept for
// good from garbage not yet collected. Test servers only; the app never loads it.
import { writeFileSync } from "node:fs";

const file = process.env.HEAP_PROBE_FILE;
if (file && typeof globalThis.gc === "function") {
  process.on("SIGUSR2", () => {
    globalThis.gc();
    globalThis.gc();
    writeFileSync(file, String(process.memoryUsage().heapUsed));
  });
}

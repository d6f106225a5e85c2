// `npm run keys:rotate`: moves every user's data key to the current master key. Set
// FIELD_ENCRYPTION_KEY to the new key and FIELD_ENCRYPTION_KEY_PREVIOUS to the old one(s) first;
// the app keeps reading both meanwhile. Safe to interrupt and rerun: it resumes where it stopped.
// Prints counts only.
//   --batch-size=N   users per transaction (default 500)
//   --max-batches=N  stop after N batches (a rerun continues)
//   --blind-index    instead: re-index every Telegram id and phone number under the current
//                    BLIND_INDEX_KEY, with the old key in BLIND_INDEX_KEY_PREVIOUS (accepted by
//                    every lookup meanwhile); remove BLIND_INDEX_KEY_PREVIOUS once it is complete
// Exit 0 when done (or stopped on request), 1 when some data keys could not be re-wrapped.
import { parseArgs } from "node:util";
import { z } from "zod";
import { closeDatabase, openDatabase } from "../lib/data/connection";
import { completeKeyChecks, KeyCheckError, verifyKeyChecks } from "../lib/data/key-checks";
import {
  DEFAULT_REWRAP_BATCH,
  indexRotationProgress,
  keyRotationProgress,
  reindexBlindIndexes,
  rewrapDataKeys,
} from "../lib/data/rotation";
import { progressBar } from "./progress";

const Args = z.object({
  "batch-size": z.coerce.number().int().min(1).max(10_000).default(DEFAULT_REWRAP_BATCH),
  "max-batches": z.coerce.number().int().min(1).optional(),
  "blind-index": z.boolean().default(false),
});

const { values } = parseArgs({
  options: { "batch-size": { type: "string" }, "max-batches": { type: "string" }, "blind-index": { type: "boolean" } },
});
const parsed = Args.safeParse(values);
if (!parsed.success) {
  console.error(`keys:rotate: ${parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}`);
  process.exit(2);
}
const args = parsed.data;

// First Ctrl+C finishes the open batch and stops; a second one (or SIGKILL) aborts it, and the
// database rolls it back. Either way a rerun continues.
let stopRequested = false;
process.on("SIGINT", () => {
  if (stopRequested) process.exit(130);
  stopRequested = true;
  console.error("\nkeys:rotate: stopping after this batch (Ctrl+C again to abort it)");
});

await openDatabase();
// The same check as the start: a configured key that fits nothing stored is refused here too, and the
// current keys are recorded (lib/data/key-checks.ts).
try {
  await verifyKeyChecks();
} catch (e) {
  if (!(e instanceof KeyCheckError)) throw e;
  console.error(`keys:rotate: ${e.message}`);
  await closeDatabase();
  process.exit(1);
}
if (args["blind-index"]) await rotateBlindIndex();
const before = await keyRotationProgress();
const pending = before.total - before.onCurrentKey - before.onUnknownKey;
console.log(`${before.total} users: ${before.onCurrentKey} already on the current master key, ${pending} to re-wrap`);

const started = performance.now();
const bar = progressBar("keys:rotate");
bar.update(before.onCurrentKey, before.total);
const result = await rewrapDataKeys({
  batchSize: args["batch-size"],
  maxBatches: args["max-batches"],
  shouldStop: () => stopRequested,
  onBatch: (r) => bar.update(before.onCurrentKey + r.rewrapped, before.total),
});
bar.done();
const seconds = ((performance.now() - started) / 1000).toFixed(2);
const after = await keyRotationProgress();
// Every data key is under the current master key: the previous ones are no longer needed to start.
if (after.onCurrentKey === after.total) await completeKeyChecks("field");
await closeDatabase();

console.log(`re-wrapped ${result.rewrapped} data keys in ${result.batches} batches (${seconds} s)`);
if (result.skipped)
  console.log(`${result.skipped} changed or erased by someone else meanwhile (nothing to do for them)`);
let failed = false;
if (result.unreadable) {
  failed = true;
  console.error(
    `ERROR: ${result.unreadable} wrapped data keys failed authentication under their recorded master key (damaged or destroyed): their fields cannot be decrypted`,
  );
}
if (after.onUnknownKey) {
  failed = true;
  console.error(
    `ERROR: ${after.onUnknownKey} data keys are wrapped under a master key that is not configured: add it to FIELD_ENCRYPTION_KEY_PREVIOUS and rerun`,
  );
}
const remaining = after.total - after.onCurrentKey - after.onUnknownKey - result.unreadable;
if (!result.complete && remaining > 0) {
  console.log(`stopped: ${remaining} still to re-wrap; run keys:rotate again to continue`);
} else if (after.onCurrentKey === after.total) {
  console.log(`rotation complete: all ${after.total} users on the current master key`);
}
process.exit(failed ? 1 : 0);

async function rotateBlindIndex(): Promise<never> {
  const start = await indexRotationProgress();
  console.log(
    `${start.total} users: ${start.onCurrentKey} already indexed under the current blind-index key, ${start.total - start.onCurrentKey} to re-index`,
  );
  const began = performance.now();
  const bar = progressBar("keys:rotate --blind-index");
  bar.update(start.onCurrentKey, start.total);
  const result = await reindexBlindIndexes({
    batchSize: args["batch-size"],
    maxBatches: args["max-batches"],
    shouldStop: () => stopRequested,
    onBatch: (r) => bar.update(start.onCurrentKey + r.reindexed, start.total),
  });
  bar.done();
  const end = await indexRotationProgress();
  if (end.onCurrentKey === end.total) await completeKeyChecks("blind_index");
  await closeDatabase();
  console.log(
    `re-indexed ${result.reindexed} users in ${result.batches} batches (${((performance.now() - began) / 1000).toFixed(2)} s)`,
  );
  if (result.unreadable)
    console.error(
      `ERROR: ${result.unreadable} users could not be re-indexed (their data key or Telegram id cannot be read)`,
    );
  if (end.onCurrentKey === end.total)
    console.log(
      `blind-index rotation complete: all ${end.total} users indexed under the current key; remove BLIND_INDEX_KEY_PREVIOUS`,
    );
  else
    console.log(
      `stopped: ${end.total - end.onCurrentKey} still to re-index; run keys:rotate --blind-index again to continue`,
    );
  process.exit(result.unreadable ? 1 : 0);
}

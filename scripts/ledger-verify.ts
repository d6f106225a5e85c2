// `npm run ledger:verify`: walks the consent ledger's hash chain (exit 1 at the first record that was
// edited, inserted or removed), then compares each person's current consent states with the latest
// decisions in their ledger (exit 1 when they disagree: a state without its record, a decision
// without its state). Records the run's counts for the admin report. Prints counts and sequence
// numbers only.
import { closeDatabase } from "../lib/data/connection";
import { checkLedgerConsistency, recordLedgerVerifyRun, verifyLedger } from "../lib/data/ledger";
import { progressBar } from "./progress";

const startedAt = new Date();
const bar = progressBar("ledger");
const result = await verifyLedger((done, total) => bar.update(done, total));
bar.done();
const present = await checkLedgerConsistency();
const chainProblems = result.ok ? 0 : 1;
await recordLedgerVerifyRun(startedAt, {
  records: result.records,
  chainIntact: result.ok,
  states: present.states,
  decisions: present.decisions,
  problems: chainProblems + present.problems,
});
await closeDatabase();
if (result.ok) {
  console.log(`ledger intact: ${result.records} records, chain and head agree`);
} else {
  console.error(
    `LEDGER TAMPERED at record ${result.atSeq}: ${result.problem} (${result.records} records checked before it)`,
  );
}
if (present.problems === 0) {
  console.log(
    `consent states agree with the ledger: ${present.states} states, ${present.decisions} latest decisions compared`,
  );
} else {
  console.error(
    `CONSENT STATES DISAGREE WITH THE LEDGER: ${present.problems} problems in ${present.states} states and ${present.decisions} latest decisions\n` +
      `  states without a ledger record:        ${present.statesWithoutRecord}\n` +
      `  states unlike their latest record:     ${present.statesDisagreeing}\n` +
      `  grants in the ledger without a state:  ${present.grantsWithoutState}\n` +
      `  refusals or withdrawals without state: ${present.refusalsWithoutState} (of people who still have an account)`,
  );
}
process.exit(result.ok && present.problems === 0 ? 0 : 1);

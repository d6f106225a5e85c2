// `npm run ledger:verify`: walks the consent ledger's hash chain; exit 1 at the first record that was
// edited, inserted or removed. Prints counts and sequence numbers only.
import { closeDatabase } from "../lib/data/connection";
import { verifyLedger } from "../lib/data/ledger";
import { progressBar } from "./progress";

const bar = progressBar("ledger");
const result = await verifyLedger((done, total) => bar.update(done, total));
bar.done();
await closeDatabase();
if (result.ok) {
  console.log(`ledger intact: ${result.records} records, chain and head agree`);
} else {
  console.error(
    `LEDGER TAMPERED at record ${result.atSeq}: ${result.problem} (${result.records} records checked before it)`,
  );
  process.exit(1);
}

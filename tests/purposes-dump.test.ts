// `npm run purposes:dump` prints the shipped catalogue in the PURPOSES_FILE shape: loaded back as
// PURPOSES_FILE it is the same catalogue, with the same versions in every language (nobody re-asked).
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { LOCALES } from "@/lib/i18n/locales";
import { loadCatalogueFile, SHIPPED_CATALOGUE } from "@/lib/domain/purposes";

it("purposes:dump output loads as PURPOSES_FILE with the shipped versions", () => {
  const out = execFileSync("npm", ["run", "-s", "purposes:dump"], { encoding: "utf8" });
  const file = join(mkdtempSync(join(tmpdir(), "purposes-dump-")), "purposes.json");
  writeFileSync(file, out);
  const loaded = loadCatalogueFile(file, LOCALES);
  expect(loaded.map((p) => p.id)).toEqual(SHIPPED_CATALOGUE.map((p) => p.id));
  for (const p of loaded) {
    const shipped = SHIPPED_CATALOGUE.find((s) => s.id === p.id)!;
    expect(p.versions).toEqual(shipped.versions);
    expect(Object.keys(p.versions).sort()).toEqual([...LOCALES].sort());
  }
});

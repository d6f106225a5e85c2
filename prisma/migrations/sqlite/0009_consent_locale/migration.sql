-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_consent_states" (
    "user_id" TEXT NOT NULL,
    "purpose_id" TEXT NOT NULL,
    "granted" BOOLEAN NOT NULL,
    "purpose_version" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "decided_at" DATETIME NOT NULL,

    PRIMARY KEY ("user_id", "purpose_id"),
    CONSTRAINT "consent_states_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_consent_states" ("decided_at", "granted", "purpose_id", "purpose_version", "user_id") SELECT "decided_at", "granted", "purpose_id", "purpose_version", "user_id" FROM "consent_states";
DROP TABLE "consent_states";
ALTER TABLE "new_consent_states" RENAME TO "consent_states";
CREATE INDEX "consent_states_purpose_id_granted_user_id_idx" ON "consent_states"("purpose_id", "granted", "user_id");
CREATE INDEX "consent_states_purpose_id_locale_purpose_version_idx" ON "consent_states"("purpose_id", "locale", "purpose_version");
CREATE TABLE "new_consent_records" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "subject_id" TEXT NOT NULL,
    "purpose_id" TEXT NOT NULL,
    "purpose_version" TEXT NOT NULL,
    "text_hash" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "fields" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL
);
INSERT INTO "new_consent_records" ("at", "decision", "fields", "hash", "method", "prev_hash", "purpose_id", "purpose_version", "seq", "subject_id", "text_hash") SELECT "at", "decision", "fields", "hash", "method", "prev_hash", "purpose_id", "purpose_version", "seq", "subject_id", "text_hash" FROM "consent_records";
DROP TABLE "consent_records";
ALTER TABLE "new_consent_records" RENAME TO "consent_records";
CREATE UNIQUE INDEX "consent_records_hash_key" ON "consent_records"("hash");
CREATE INDEX "consent_records_subject_id_idx" ON "consent_records"("subject_id");
CREATE INDEX "consent_records_purpose_id_at_idx" ON "consent_records"("purpose_id", "at");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_pending_sign_ins" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "telegram_id_index" TEXT NOT NULL,
    "index_key_id" TEXT NOT NULL DEFAULT '',
    "expires_at" DATETIME NOT NULL
);
INSERT INTO "new_pending_sign_ins" ("expires_at", "id", "telegram_id_index") SELECT "expires_at", "id", "telegram_id_index" FROM "pending_sign_ins";
DROP TABLE "pending_sign_ins";
ALTER TABLE "new_pending_sign_ins" RENAME TO "pending_sign_ins";
CREATE INDEX "pending_sign_ins_telegram_id_index_idx" ON "pending_sign_ins"("telegram_id_index");
CREATE INDEX "pending_sign_ins_expires_at_idx" ON "pending_sign_ins"("expires_at");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


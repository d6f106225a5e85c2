-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_users" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "telegram_id_index" TEXT NOT NULL,
    "wrapped_data_key" BLOB NOT NULL,
    "wrap_key_id" TEXT NOT NULL,
    "index_key_id" TEXT NOT NULL DEFAULT '',
    "session_version" INTEGER NOT NULL DEFAULT 1,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_sign_in_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_users" ("created_at", "id", "last_sign_in_at", "session_version", "telegram_id_index", "wrap_key_id", "wrapped_data_key") SELECT "created_at", "id", "last_sign_in_at", "session_version", "telegram_id_index", "wrap_key_id", "wrapped_data_key" FROM "users";
DROP TABLE "users";
ALTER TABLE "new_users" RENAME TO "users";
CREATE UNIQUE INDEX "users_telegram_id_index_key" ON "users"("telegram_id_index");
CREATE INDEX "users_wrap_key_id_idx" ON "users"("wrap_key_id");
CREATE INDEX "users_index_key_id_idx" ON "users"("index_key_id");
CREATE INDEX "users_last_sign_in_at_idx" ON "users"("last_sign_in_at");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


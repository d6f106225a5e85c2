-- CreateTable
CREATE TABLE "purpose_outcomes" (
    "user_id" TEXT NOT NULL,
    "purpose_id" TEXT NOT NULL,
    "at" DATETIME NOT NULL,

    PRIMARY KEY ("user_id", "purpose_id"),
    CONSTRAINT "purpose_outcomes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "bot_link_tokens" (
    "token_hash" TEXT NOT NULL PRIMARY KEY,
    "user_id" TEXT NOT NULL,
    "expires_at" DATETIME NOT NULL,
    "started_at" DATETIME,
    CONSTRAINT "bot_link_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "purpose_outcomes_purpose_id_at_idx" ON "purpose_outcomes"("purpose_id", "at");

-- CreateIndex
CREATE INDEX "bot_link_tokens_user_id_idx" ON "bot_link_tokens"("user_id");

-- CreateIndex
CREATE INDEX "bot_link_tokens_expires_at_idx" ON "bot_link_tokens"("expires_at");


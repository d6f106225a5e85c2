-- CreateTable
CREATE TABLE "purpose_outcomes" (
    "user_id" TEXT NOT NULL,
    "purpose_id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "purpose_outcomes_pkey" PRIMARY KEY ("user_id","purpose_id")
);

-- CreateTable
CREATE TABLE "bot_link_tokens" (
    "token_hash" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "started_at" TIMESTAMP(3),

    CONSTRAINT "bot_link_tokens_pkey" PRIMARY KEY ("token_hash")
);

-- CreateIndex
CREATE INDEX "purpose_outcomes_purpose_id_at_idx" ON "purpose_outcomes"("purpose_id", "at");

-- CreateIndex
CREATE INDEX "bot_link_tokens_user_id_idx" ON "bot_link_tokens"("user_id");

-- CreateIndex
CREATE INDEX "bot_link_tokens_expires_at_idx" ON "bot_link_tokens"("expires_at");

-- AddForeignKey
ALTER TABLE "purpose_outcomes" ADD CONSTRAINT "purpose_outcomes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bot_link_tokens" ADD CONSTRAINT "bot_link_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;


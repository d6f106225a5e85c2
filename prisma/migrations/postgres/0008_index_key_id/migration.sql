-- AlterTable
ALTER TABLE "users" ADD COLUMN     "index_key_id" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "users_index_key_id_idx" ON "users"("index_key_id");


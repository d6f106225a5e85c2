-- AlterTable
ALTER TABLE "pending_sign_ins" ADD COLUMN     "index_key_id" TEXT NOT NULL DEFAULT '';


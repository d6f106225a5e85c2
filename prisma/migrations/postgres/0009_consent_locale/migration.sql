-- DropIndex
DROP INDEX "consent_states_purpose_id_purpose_version_idx";

-- AlterTable
ALTER TABLE "consent_states" ADD COLUMN     "locale" TEXT NOT NULL DEFAULT 'en';

-- AlterTable
ALTER TABLE "consent_records" ADD COLUMN     "locale" TEXT NOT NULL DEFAULT 'en';

-- CreateIndex
CREATE INDEX "consent_states_purpose_id_locale_purpose_version_idx" ON "consent_states"("purpose_id", "locale", "purpose_version");


-- DropIndex
DROP INDEX "consent_states_purpose_id_granted_idx";

-- CreateIndex
CREATE INDEX "users_last_sign_in_at_idx" ON "users"("last_sign_in_at");

-- CreateIndex
CREATE INDEX "user_fields_field_updated_at_idx" ON "user_fields"("field", "updated_at");

-- CreateIndex
CREATE INDEX "user_fields_field_user_id_idx" ON "user_fields"("field", "user_id");

-- CreateIndex
CREATE INDEX "consent_states_purpose_id_granted_user_id_idx" ON "consent_states"("purpose_id", "granted", "user_id");

-- CreateIndex
CREATE INDEX "consent_states_purpose_id_purpose_version_idx" ON "consent_states"("purpose_id", "purpose_version");


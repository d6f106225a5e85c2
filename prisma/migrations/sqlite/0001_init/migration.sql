-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "telegram_id_index" TEXT NOT NULL,
    "wrapped_data_key" BLOB NOT NULL,
    "wrap_key_id" TEXT NOT NULL,
    "session_version" INTEGER NOT NULL DEFAULT 1,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_sign_in_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "user_fields" (
    "user_id" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "ciphertext" BLOB NOT NULL,
    "blind_index" TEXT,
    "stored_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("user_id", "field"),
    CONSTRAINT "user_fields_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "consent_states" (
    "user_id" TEXT NOT NULL,
    "purpose_id" TEXT NOT NULL,
    "granted" BOOLEAN NOT NULL,
    "purpose_version" TEXT NOT NULL,
    "decided_at" DATETIME NOT NULL,

    PRIMARY KEY ("user_id", "purpose_id"),
    CONSTRAINT "consent_states_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "consent_records" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "subject_id" TEXT NOT NULL,
    "purpose_id" TEXT NOT NULL,
    "purpose_version" TEXT NOT NULL,
    "text_hash" TEXT NOT NULL,
    "fields" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "ledger_head" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "used_login_payloads" (
    "digest" TEXT NOT NULL PRIMARY KEY,
    "expires_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "type" TEXT NOT NULL,
    "subject_id" TEXT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "detail" TEXT
);

-- CreateTable
CREATE TABLE "counters" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "value" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "daily_stats" (
    "day" TEXT NOT NULL,
    "metric" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("day", "metric", "key")
);

-- CreateTable
CREATE TABLE "job_runs" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "job" TEXT NOT NULL,
    "started_at" DATETIME NOT NULL,
    "finished_at" DATETIME,
    "result" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "users_telegram_id_index_key" ON "users"("telegram_id_index");

-- CreateIndex
CREATE INDEX "users_wrap_key_id_idx" ON "users"("wrap_key_id");

-- CreateIndex
CREATE INDEX "user_fields_field_blind_index_idx" ON "user_fields"("field", "blind_index");

-- CreateIndex
CREATE INDEX "consent_states_purpose_id_granted_idx" ON "consent_states"("purpose_id", "granted");

-- CreateIndex
CREATE UNIQUE INDEX "consent_records_hash_key" ON "consent_records"("hash");

-- CreateIndex
CREATE INDEX "consent_records_subject_id_idx" ON "consent_records"("subject_id");

-- CreateIndex
CREATE INDEX "consent_records_purpose_id_at_idx" ON "consent_records"("purpose_id", "at");

-- CreateIndex
CREATE INDEX "used_login_payloads_expires_at_idx" ON "used_login_payloads"("expires_at");

-- CreateIndex
CREATE INDEX "audit_events_subject_id_idx" ON "audit_events"("subject_id");

-- CreateIndex
CREATE INDEX "audit_events_type_at_idx" ON "audit_events"("type", "at");

-- CreateIndex
CREATE INDEX "daily_stats_metric_day_idx" ON "daily_stats"("metric", "day");

-- CreateIndex
CREATE INDEX "job_runs_job_started_at_idx" ON "job_runs"("job", "started_at");


-- The ledger head starts at the genesis hash; appends lock and advance this one row.
INSERT INTO "ledger_head" ("id", "seq", "hash") VALUES (1, 0, 'genesis');

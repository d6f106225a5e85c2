-- CreateTable
CREATE TABLE "key_checks" (
    "kind" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "check_value" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("kind", "key_id")
);


-- CreateTable
CREATE TABLE "key_checks" (
    "kind" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "check_value" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "key_checks_pkey" PRIMARY KEY ("kind","key_id")
);


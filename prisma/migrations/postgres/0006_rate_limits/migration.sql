-- Before this migration the app created the table itself at first use (same columns, key as
-- varchar(255)): on such a database it exists already and is kept as it is.
-- CreateTable
CREATE TABLE IF NOT EXISTS "rate_limits" (
    "key" TEXT NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);


-- AlterTable
ALTER TABLE "user_fields" ADD COLUMN "unique_index" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "user_fields_field_unique_index_key" ON "user_fields"("field", "unique_index");


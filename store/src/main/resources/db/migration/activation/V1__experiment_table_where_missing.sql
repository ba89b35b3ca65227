-- The original application's experiment table and status enum, exactly as Prisma creates them.
-- Created only where missing: on a database of the original application they already exist and are
-- left untouched (never altered or dropped here; Prisma owns them).

DO $$
BEGIN
  CREATE TYPE "ExperimentStatus" AS ENUM ('PENDING', 'ACTIVE', 'COMPLETED', 'STOPPED', 'FAILED');
EXCEPTION
  WHEN duplicate_object THEN NULL;
END
$$;

CREATE TABLE IF NOT EXISTS "ABTest" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "startDate" TIMESTAMP(3) NOT NULL,
    "endDate" TIMESTAMP(3) NOT NULL,
    "status" "ExperimentStatus" NOT NULL,
    "configuration" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ABTest_pkey" PRIMARY KEY ("id")
);

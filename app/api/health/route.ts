import { apiError, json, route } from "@/lib/web/http";
import { checkHealth } from "@/lib/data/health";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const health = await checkHealth();
  return health.ok ? json({ status: "ok", database: health.databaseKind }) : apiError("databaseDown");
});

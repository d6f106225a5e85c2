// The reference for the sign-in benchmark: the same server, proxy and response helper, and nothing
// else. It does not even read the body, so the difference to POST /api/auth/telegram is the sign-in.
import { env } from "@/lib/core/env";
import { apiError, json } from "@/lib/web/http";

export const dynamic = "force-dynamic";

function bare(): Response {
  return env().benchRoutes ? json({ ok: true }) : apiError("nothingHere");
}

export const GET = bare;
export const POST = bare;

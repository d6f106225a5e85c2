import { NextResponse } from "next/server";
import { finishOidc } from "@/lib/auth";
import { env } from "@/lib/env";
import { jsonError, NO_STORE, route } from "@/lib/http";

// Telegram redirects the browser here (a cross-site top-level GET): no Origin check, the sealed
// state cookie is what ties the answer to the request we made.
export const GET = route(async (req, { requestId }) => {
  const result = await finishOidc(new URL(req.url).searchParams, requestId);
  if (!result.ok) return jsonError(result.status, result.message);
  return NextResponse.redirect(new URL(result.location, env().appOrigin), { status: 303, headers: NO_STORE });
});

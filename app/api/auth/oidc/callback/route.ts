import { NextResponse } from "next/server";
import { finishOidc } from "@/lib/auth";
import { env } from "@/lib/env";
import { jsonError, NO_STORE, route } from "@/lib/http";
import { clientAddress, consume } from "@/lib/rate-limit";

/** A refusal seen by a person: a page that says what happened (a closed set of reasons, nothing else in the URL). */
const PAGE_REASON = { 400: "restart", 401: "not-confirmed", 409: "taken", 503: "unavailable" } as const;

// Telegram redirects the browser here (a cross-site top-level GET): no Origin check, the sealed
// state cookie is what ties the answer to the request we made. Limits as for the widget's sign-in
// (docs/decisions/007): every callback per address only behind a trusted proxy, refusals always.
export const GET = route(async (req, { requestId }) => {
  const client = clientAddress(req.headers);
  if (client.trusted) await consume("oidcAddress", client.address);
  const result = await finishOidc(new URL(req.url).searchParams, requestId);
  if (!result.ok) {
    // An unavailable provider is our outage, not the client's refusal.
    if (result.status !== 503) await consume("oidcRefused", client.address);
    // A browser navigation gets a page; a client that asks for JSON keeps the contract's error.
    if ((req.headers.get("accept") ?? "").includes("text/html")) {
      return NextResponse.redirect(new URL(`/sign-in-failed?reason=${PAGE_REASON[result.status]}`, env().appOrigin), {
        status: 303,
        headers: NO_STORE,
      });
    }
    return jsonError(result.status, result.message);
  }
  return NextResponse.redirect(new URL(result.location, env().appOrigin), { status: 303, headers: NO_STORE });
});

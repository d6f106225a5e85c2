import { cookies } from "next/headers";
import { NextResponse } from "next/server";
import { logOut } from "@/lib/use-cases/account";
import { keepingLanguage } from "@/lib/i18n/cookie";
import { LOCALE_COOKIE } from "@/lib/i18n/negotiate";
import { json, LOGGED_OUT_HEADERS, NO_STORE, route } from "@/lib/web/http";

// Also the target of the plain HTML logout forms: those get a 303 to the start page.
export const POST = route(async (req, { requestId }) => {
  const everywhere = new URL(req.url).searchParams.get("everywhere") === "1";
  await logOut({ everywhere, requestId });
  const headers = { ...NO_STORE, ...LOGGED_OUT_HEADERS };
  if ((req.headers.get("accept") ?? "").includes("text/html")) {
    const target = keepingLanguage("/?signed-out=1", (await cookies()).get(LOCALE_COOKIE)?.value);
    return NextResponse.redirect(target, { status: 303, headers });
  }
  return json({ next: "/" }, { headers });
});

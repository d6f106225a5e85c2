import { cookies } from "next/headers";
import { NextResponse } from "next/server";
import { deleteMyAccount } from "@/lib/use-cases/account";
import { env } from "@/lib/core/env";
import { keepingLanguage } from "@/lib/i18n/cookie";
import { LOCALE_COOKIE } from "@/lib/i18n/negotiate";
import { apiError, ERASED_HEADERS, json, NO_STORE, route } from "@/lib/web/http";
import { consume } from "@/lib/data/rate-limit";
import { getSession } from "@/lib/web/session";

// The delete page's form (HTML forms cannot send DELETE): the same erasure as DELETE /api/me. A
// route handler rather than a server action so the answer can carry Clear-Site-Data, which a
// server action's response cannot.
export const POST = route(async (req, { requestId }) => {
  const user = await getSession();
  const html = (req.headers.get("accept") ?? "").includes("text/html");
  if (!user)
    return html
      ? NextResponse.redirect(new URL("/?signed-out=1", env().appOrigin), { status: 303, headers: NO_STORE })
      : apiError("signedOut");
  await consume("erasure", user.id);
  await deleteMyAccount(user.id, requestId);
  if (html)
    return NextResponse.redirect(keepingLanguage("/?erased=1", (await cookies()).get(LOCALE_COOKIE)?.value), {
      status: 303,
      headers: { ...NO_STORE, ...ERASED_HEADERS },
    });
  return json({ erased: true, next: "/" }, { headers: ERASED_HEADERS });
});

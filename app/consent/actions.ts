"use server";
import { redirect } from "next/navigation";
import type { ActionState } from "@/lib/action-result";
import { catalogue } from "@/lib/catalogue";
import { setConsents, type Decisions } from "@/lib/data/consents";
import { finishPendingSignIn } from "@/lib/account";
import { userNeedsConsent } from "@/lib/data/users";
import { currentRequestId } from "@/lib/http";
import { securityEvent } from "@/lib/log";
import { consume, RateLimitedError } from "@/lib/rate-limit";
import { clearPendingSignIn, getPendingSignIn, getSession } from "@/lib/session";

/** Reads one decision per purpose shown on the form; unchecked boxes are refusals. */
function decisionsFrom(form: FormData): Decisions {
  const shown = new Set(form.getAll("shown").map(String));
  return Object.fromEntries(catalogue().filter((p) => shown.has(p.id)).map((p) => [p.id, p.required || form.get(`purpose:${p.id}`) === "on"]));
}

/** The consent limit as a form message instead of an error page. */
async function withinLimit(key: string): Promise<ActionState | null> {
  try {
    await consume("consent", key);
    return null;
  } catch (e) {
    if (e instanceof RateLimitedError) return { ok: false, message: `Too many attempts. Please wait ${e.retryAfterSeconds} seconds and try again.` };
    throw e;
  }
}

export async function saveConsent(_prev: ActionState, form: FormData): Promise<ActionState> {
  const decisions = decisionsFrom(form);
  if (Object.keys(decisions).length === 0) return { ok: false, message: "The form was empty. Reload the page and try again." };
  const user = await getSession();
  if (user) {
    const limited = await withinLimit(user.id);
    if (limited) return limited;
    const result = await setConsents(user.id, decisions, "page");
    if (!result.ok) return { ok: false, message: result.message };
    securityEvent("consent.changed", await currentRequestId(), { changes: result.changed.length, method: "page" });
    redirect((await userNeedsConsent(user.id)) ? "/consent" : "/settings?saved=1");
  }
  const pending = await getPendingSignIn();
  if (!pending) return { ok: false, message: "Your sign-in has expired (it is kept for 10 minutes). Please sign in with Telegram again." };
  const limited = await withinLimit(`pending:${pending.telegramId}`);
  if (limited) return limited;
  const created = await finishPendingSignIn(pending, decisions, "page");
  if (!created.ok) return { ok: false, message: created.message };
  securityEvent("consent.changed", await currentRequestId(), { created: true, method: "page" });
  redirect("/settings?welcome=1");
}

export async function cancelSignIn(): Promise<void> {
  await clearPendingSignIn();
  redirect("/");
}

"use server";
import { redirect } from "next/navigation";
import { createPhoneBotLink, deleteMyAccount, logOut } from "@/lib/account";
import type { ActionState } from "@/lib/action-result";
import { purposeById } from "@/lib/catalogue";
import { setConsents } from "@/lib/data/consents";
import { FIELDS } from "@/lib/fields";
import { requireUser } from "@/lib/session";
import { randomUUID } from "node:crypto";

/** One click grants or withdraws: no more steps than granting took on the consent page. */
export async function togglePurpose(purposeId: string, grant: boolean, _prev: ActionState): Promise<ActionState> {
  const user = await requireUser();
  const purpose = purposeById(purposeId);
  if (!purpose) return { ok: false, message: "That purpose no longer exists. Reload the page." };
  const result = await setConsents(user.id, { [purposeId]: grant }, "page");
  if (!result.ok) return { ok: false, message: result.message };
  if (grant) return { ok: true, message: `Granted: ${purpose.title}. Its data is filled in from Telegram at your next sign-in.` };
  const erased = result.erased.map((f) => FIELDS[f].label);
  return { ok: true, message: `Withdrawn: ${purpose.title}. ${erased.length ? `Erased now: ${erased.join(", ")}.` : "Nothing was stored under it."}` };
}

export async function deleteAccountAction(): Promise<void> {
  const user = await requireUser();
  await deleteMyAccount(user.id, randomUUID());
  redirect("/?erased=1");
}

export async function logOutEverywhereAction(): Promise<void> {
  await requireUser();
  await logOut({ everywhere: true, requestId: randomUUID() });
  redirect("/?signed-out=1");
}

/** Makes a one-time deep link into the bot; the page shows it as a link to Telegram. */
export async function phoneBotLinkAction(_prev: ActionState<{ link: string }>): Promise<ActionState<{ link: string }>> {
  const user = await requireUser();
  const result = await createPhoneBotLink(user.id);
  if (!result.ok) return { ok: false, message: result.message };
  return { ok: true, message: "The link works once, for 10 minutes, and only from your own Telegram account.", data: { link: result.link } };
}

"use server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ActionState } from "@/lib/action-result";
import { shareDemoPhone } from "@/lib/demo";
import { requireUser } from "@/lib/session";

/** The simulated sharing; on success the settings page shows what was kept, as after a real share. */
export async function shareDemoPhoneAction(_prev: ActionState): Promise<ActionState> {
  const user = await requireUser();
  const result = await shareDemoPhone(user, await headers());
  if (!result.ok) return { ok: false, message: result.message };
  redirect(`/settings?phone=${result.stored ? "saved" : "verified"}`);
}

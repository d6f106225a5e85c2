"use server";
import type { ActionState } from "@/lib/action-result";
import { lookUpContact } from "@/lib/contact";
import { requireAdmin } from "@/lib/session";

export type ContactLookupData = { reference: string; e164: string; display: string; reason: string };

/** The lookup form's action: an admin's request, checked again here (a server action is a public POST). */
export async function lookUpContactAction(
  _prev: ActionState<ContactLookupData>,
  form: FormData,
): Promise<ActionState<ContactLookupData>> {
  const admin = await requireAdmin("action");
  const result = await lookUpContact(admin, { reference: form.get("reference"), reason: form.get("reason") });
  if (!result.ok) return { ok: false, message: result.message };
  return {
    ok: true,
    message: "This lookup is recorded and listed on the person's settings page.",
    data: { reference: result.reference, e164: result.e164, display: result.display, reason: result.reason },
  };
}

"use server";
import { serverAction } from "@/lib/web/action";
import type { ActionResult, ActionState } from "@/lib/web/action-result";
import { lookUpContact } from "@/lib/use-cases/contact";

export type ContactLookupData = { reference: string; e164: string; display: string; reason: string };

/** The lookup form's action: an admin's request (lookUpContact applies its own per-admin limit). */
export const lookUpContactAction = serverAction(
  {
    caller: "admin",
    input: (_prev: ActionState<ContactLookupData>, form: FormData) => ({
      reference: form.get("reference"),
      reason: form.get("reason"),
    }),
  },
  async ({ user }, input): Promise<ActionResult<ContactLookupData>> => {
    const result = await lookUpContact(user, input);
    if (!result.ok) return { ok: false, message: result.message };
    return {
      ok: true,
      message: "This lookup is recorded and listed on the person's settings page.",
      data: { reference: result.reference, e164: result.e164, display: result.display, reason: result.reason },
    };
  },
);

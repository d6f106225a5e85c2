import { z } from "zod";
import { DEMO_PERSONAS, demoPayload, demoRefusal } from "@/lib/demo";
import { json, jsonError, readJsonObject, route } from "@/lib/web/http";

// Demo mode only: returns a Login Widget payload signed with the demo bot token, which the page
// then posts to /api/auth/telegram so the real verification runs. 404 outside demo mode, 403 for a
// request forwarded from another machine.
const Body = z.strictObject({ persona: z.string().max(32) });

export const POST = route(async (req) => {
  const refusal = demoRefusal(req.headers);
  if (refusal) return jsonError(refusal.status, refusal.message);
  const parsed = Body.safeParse(await readJsonObject(req, 1024));
  const payload = parsed.success ? demoPayload(parsed.data.persona) : null;
  if (!payload) return jsonError(400, `Send { "persona": one of ${Object.keys(DEMO_PERSONAS).join(", ")} }.`);
  return json(payload);
});

import { z } from "zod";
import { DEMO_PERSONAS, demoPayload } from "@/lib/demo";
import { env } from "@/lib/env";
import { json, jsonError, readJsonObject, route } from "@/lib/http";

// Demo mode only: returns a Login Widget payload signed with the demo bot token, which the page
// then posts to /api/auth/telegram so the real verification runs. 404 outside demo mode.
const Body = z.strictObject({ persona: z.string().max(32) });

export const POST = route(async (req) => {
  if (!env().demo) return jsonError(404, "Demo sign-in is off on this server.");
  const parsed = Body.safeParse(await readJsonObject(req, 1024));
  const payload = parsed.success ? demoPayload(parsed.data.persona) : null;
  if (!payload) return jsonError(400, `Send { "persona": one of ${Object.keys(DEMO_PERSONAS).join(", ")} }.`);
  return json(payload);
});

import { saveMiniAppContact } from "@/lib/auth";
import { json, jsonError, readJsonObject, route } from "@/lib/http";

/** POST {"contact": "<requestContact's signed response>"}: the signed-in person's own number, under consent. */
export const POST = route(async (req, { requestId }) => {
  const body = await readJsonObject(req, 4096);
  const result = await saveMiniAppContact(body, requestId);
  return result.ok
    ? json({ stored: result.stored, verified: result.verified })
    : jsonError(result.status, result.message);
});

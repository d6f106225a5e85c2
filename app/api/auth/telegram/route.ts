import { signInWithWidgetPayload } from "@/lib/auth";
import { json, jsonError, readJsonObject, route } from "@/lib/http";
import { clientAddress } from "@/lib/rate-limit";

export const POST = route(async (req, { requestId }) => {
  const body = await readJsonObject(req, 4096);
  const result = await signInWithWidgetPayload(body, requestId, clientAddress(req.headers));
  return result.ok ? json({ next: result.next }) : jsonError(result.status, result.message);
});

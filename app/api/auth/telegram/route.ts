import { signInWithWidgetPayload } from "@/lib/use-cases/auth";
import { json, jsonError, readJsonObject, route } from "@/lib/web/http";
import { clientAddress } from "@/lib/data/rate-limit";

export const POST = route(async (req, { requestId }) => {
  const body = await readJsonObject(req, 4096);
  const result = await signInWithWidgetPayload(body, requestId, clientAddress(req.headers));
  return result.ok ? json({ next: result.next }) : jsonError(result.status, result.message);
});

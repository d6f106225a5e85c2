import { apiError, json, readJsonObject, route } from "@/lib/web/http";
import { securityEvent } from "@/lib/core/log";
import { handleBotUpdate, webhookSecretMatches } from "@/lib/use-cases/bot";

// Telegram's servers call this, so there is no Origin to check: the secret token header set with
// setWebhook (npm run bot:webhook) is the authentication.
export const POST = route(
  async (req, { requestId }) => {
    if (!webhookSecretMatches(req.headers.get("x-telegram-bot-api-secret-token"))) {
      securityEvent("webhook.refused", requestId);
      return apiError("webhookUnauthorized");
    }
    await handleBotUpdate(await readJsonObject(req, 16_384), requestId);
    return json({ ok: true });
  },
  { checkOrigin: false },
);

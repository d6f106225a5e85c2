// `npm run bot:webhook`: registers <APP_ORIGIN>/api/telegram/webhook with the Bot API (setWebhook),
// with the secret Telegram will send back in X-Telegram-Bot-Api-Secret-Token. Prints no secret.
import { ConfigError, env } from "../lib/core/env";

try {
  const { botToken, botApiBase, webhookSecret, appOrigin } = env();
  if (!botToken || !webhookSecret)
    throw new ConfigError("bot:webhook needs TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET");
  const url = `${appOrigin}/api/telegram/webhook`;
  const res = await fetch(`${botApiBase}/bot${botToken}/setWebhook`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      url,
      secret_token: webhookSecret,
      allowed_updates: ["message"],
      drop_pending_updates: true,
    }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json().catch(() => ({}))) as { ok?: boolean; description?: string };
  if (!res.ok || body.ok !== true) {
    console.error(
      `setWebhook refused (HTTP ${res.status}): ${String(body.description ?? "no description").slice(0, 200)}`,
    );
    process.exit(1);
  }
  console.log(`webhook registered: ${url}`);
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `bot:webhook failed: ${(e as Error).name}`);
  process.exit(1);
}

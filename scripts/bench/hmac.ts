// The Login Widget's HMAC check on its own, in this process: @telegram-auth/server's validate (Web
// Crypto, which derives and imports the secret key on every call) against node:crypto createHmac
// with the SHA-256 of the bot token computed once, and the app's whole verifyWidgetPayload.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { AuthDataValidator } from "@telegram-auth/server";
import { verifyWidgetPayload } from "../../lib/telegram/widget";
import { signedPayload } from "../../tests/support/client";
import { TEST_BOT_TOKEN } from "../../tests/support/secrets";

/** Calls per second of fn over a fixed time, best of a few rounds (the machine is shared). */
async function opsPerSecond(fn: () => unknown, ms: number, rounds = 3): Promise<number> {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const end = performance.now() + ms;
    const started = performance.now();
    while (performance.now() < end) {
      for (let k = 0; k < 50; k++) await fn();
      n += 50;
    }
    best = Math.max(best, n / ((performance.now() - started) / 1000));
  }
  return best;
}

export type HmacResult = { libraryOps: number; cachedKeyOps: number; verifyWidgetPayloadOps: number };

export async function measureHmac(ms: number): Promise<HmacResult> {
  const payload = signedPayload(
    { id: "123456789", first_name: "Bench", username: "bench_user" },
    { authDate: Math.floor(Date.now() / 1000) },
  );
  const map = new Map(Object.entries(payload));
  const validator = new AuthDataValidator({ botToken: TEST_BOT_TOKEN, inValidateDataAfter: Number.MAX_SAFE_INTEGER });
  const secret = createHash("sha256").update(TEST_BOT_TOKEN).digest();
  const expected = Buffer.from(payload.hash!, "hex");
  const checkString = Object.keys(payload)
    .filter((k) => k !== "hash")
    .sort()
    .map((k) => `${k}=${payload[k]}`)
    .join("\n");
  const cached = () => {
    if (!timingSafeEqual(createHmac("sha256", secret).update(checkString).digest(), expected))
      throw new Error("bad signature");
  };
  const opts = {
    botToken: TEST_BOT_TOKEN,
    nowSeconds: Math.floor(Date.now() / 1000),
    maxAgeSeconds: 3600,
    futureSkewSeconds: 60,
  };
  const full = async () => {
    const r = await verifyWidgetPayload(payload, opts);
    if (!r.ok) throw new Error("verifyWidgetPayload refused the bench payload");
  };
  return {
    libraryOps: await opsPerSecond(() => validator.validate(map), ms),
    cachedKeyOps: await opsPerSecond(cached, ms),
    verifyWidgetPayloadOps: await opsPerSecond(full, ms),
  };
}

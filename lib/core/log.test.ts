// The logger censors personal fields, cookies and tokens wherever a caller puts them: at the top
// level, nested, in arrays, in header objects, under any spelling of the key.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CENSOR, createLogger, redact, securityEvent } from "./log";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger("trace", stream), text: () => lines.join("") };
}

const PERSONAL = {
  first_name: "Qzvfirstcanary",
  last_name: "Jxwlastcanary",
  username: "zz_user_canary",
  photo_url: "https://t.me/i/userpic/320/zzphotocanary.jpg",
  phone_number: "+4915550009999",
  telegram_id: "4400000007919",
  id: "4400000007920",
  hash: "f".repeat(64),
  cookie: "__Host-session=Fe26.2**zzsealcanary",
  authorization: "Bearer zztokencanary",
  id_token: "eyJzzidtokencanary",
  code: "zzoidccodecanary",
  "x-telegram-bot-api-secret-token": "zzwebhooksecretcanary",
  "x-forwarded-for": "203.0.113.77",
};

describe("log redaction", () => {
  it("censors personal fields at the top level, nested, in arrays and in headers", () => {
    const { logger, text } = capture();
    logger.info(PERSONAL, "top level");
    logger.info(
      {
        req: {
          headers: {
            Cookie: PERSONAL.cookie,
            Authorization: PERSONAL.authorization,
            "X-Forwarded-For": PERSONAL["x-forwarded-for"],
          },
        },
      },
      "headers",
    );
    logger.info(
      {
        deep: {
          a: {
            b: {
              c: {
                profile: PERSONAL,
                list: [PERSONAL, { firstName: PERSONAL.first_name, PhoneNumber: PERSONAL.phone_number }],
              },
            },
          },
        },
      },
      "nested",
    );
    logger.warn({ payload: [{ telegramId: PERSONAL.telegram_id, userId: "7e0b8c9a-user-id" }] }, "arrays");
    securityEvent(
      "auth.refused",
      "req-12345678",
      { username: PERSONAL.username, phone: PERSONAL.phone_number } as never,
      logger,
    );
    const out = text();
    for (const value of [...Object.values(PERSONAL), "7e0b8c9a-user-id"]) expect(out).not.toContain(value);
    expect(out.split("\n").filter(Boolean)).toHaveLength(5);
    expect(out).toContain(CENSOR);
  });

  it("keeps what an operator needs: time, event, request id and harmless detail", () => {
    const { logger, text } = capture();
    securityEvent("consent.changed", "req-abcdef12", { changes: 2, method: "api" }, logger);
    const line = JSON.parse(text()) as Record<string, unknown>;
    expect(line).toMatchObject({
      event: "consent.changed",
      requestId: "req-abcdef12",
      changes: 2,
      method: "api",
      msg: "consent.changed",
    });
    expect(Date.parse(String(line.time))).toBeGreaterThan(Date.now() - 60_000);
  });

  it("a detail cannot overwrite the event name or the request id", () => {
    const { logger, text } = capture();
    securityEvent("user.erased", "req-real-0001", { event: "forged", requestId: "forged" } as never, logger);
    expect(JSON.parse(text())).toMatchObject({ event: "user.erased", requestId: "req-real-0001" });
  });

  it("survives cycles and deep nesting without throwing", () => {
    const a: Record<string, unknown> = { first_name: PERSONAL.first_name };
    a.self = a;
    let deep: Record<string, unknown> = { phone: PERSONAL.phone_number };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(JSON.stringify(redact({ a, deep }))).not.toMatch(/Qzvfirstcanary|4915550009999/);
  });
});

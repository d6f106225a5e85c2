// The contact lookup tells nobody's existence by its time (issue 25, item 4): an unknown reference
// skipped the locked transaction and answered 3 ms sooner. Checked by structure, not by the clock:
// every statement the lookup sends, in order and whether inside a transaction, is recorded for an
// unknown reference, a person who did not agree, a person who agreed but shared no number and two
// accounts that share a reference prefix; all refusals must send the same statements.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { userIdPrefixOf, accountReference } from "../lib/domain/account-reference";
import { Client, ONLY_ACCOUNT } from "./support/client";
import { startAppForThisProcess, stopAppForThisProcess, type TestApp } from "./support/server";

const ADMIN_ID = "812900001";
// lib/data/contact.ts asks db() for the client: while `watching` is set, it gets the recording view.
const watching = vi.hoisted(() => ({ client: null as object | null }));
vi.mock("../lib/data/db", async (importOriginal) => {
  const real = await importOriginal<typeof import("../lib/data/db")>();
  return { ...real, db: async () => (watching.client ?? (await real.db())) as Awaited<ReturnType<typeof real.db>> };
});
let app: TestApp;
let ids: { refused: string; agreedNoNumber: string; admin: string };

beforeAll(async () => {
  app = await startAppForThisProcess({ label: "contact-path", env: { ADMIN_TELEGRAM_IDS: ADMIN_ID } });
  const signedIn = async (telegramId: string, decisions: Record<string, boolean>) => {
    const c = new Client(app.origin);
    await c.signIn({ id: telegramId }, decisions);
    return ((await (await c.get("/api/me")).json()) as { id: string }).id;
  };
  const base = 812_910_000 + Math.floor(Math.random() * 10_000);
  ids = {
    admin: await signedIn(ADMIN_ID, ONLY_ACCOUNT),
    refused: await signedIn(String(base), ONLY_ACCOUNT),
    agreedNoNumber: await signedIn(String(base + 1), { ...ONLY_ACCOUNT, phone_contact: true }),
  };
});
afterAll(async () => {
  await stopAppForThisProcess(app);
});

/** Every model call and raw statement the lookup makes, marked "tx:" inside a transaction. */
async function statementsOf(prefix: string): Promise<{ trace: string[]; ok: boolean }> {
  const { db } = await import("../lib/data/db");
  const { lookUpPhoneForContact } = await import("../lib/data/contact");
  const client = await db();
  const trace: string[] = [];
  const recorder = <T extends object>(target: T, where: string): T =>
    new Proxy(target, {
      get(t, key, receiver) {
        const value = Reflect.get(t, key, receiver);
        if (typeof key !== "string") return value;
        if (typeof value === "function" && key.startsWith("$"))
          return (...args: unknown[]) => {
            if (key === "$transaction" && typeof args[0] === "function") {
              trace.push(`${where}$transaction`);
              const fn = args[0] as (tx: object) => unknown;
              return (value as (...a: unknown[]) => unknown).call(t, (tx: object) => fn(recorder(tx, "tx:")), args[1]);
            }
            trace.push(`${where}${key}`);
            return (value as (...a: unknown[]) => unknown).apply(t, args);
          };
        if (value && typeof value === "object" && !key.startsWith("$") && !key.startsWith("_"))
          return new Proxy(value as object, {
            get(m, method, r) {
              const f = Reflect.get(m, method, r);
              if (typeof f !== "function" || typeof method !== "string") return f;
              return (...args: unknown[]) => {
                trace.push(`${where}${key}.${method}`);
                return (f as (...a: unknown[]) => unknown).apply(m, args);
              };
            },
          });
        return value;
      },
    });
  watching.client = recorder(client, "");
  try {
    const r = await lookUpPhoneForContact(ids.admin, prefix, "security");
    return { trace, ok: r.ok };
  } finally {
    watching.client = null;
  }
}

describe("a contact lookup", () => {
  it("sends the same statements for every refusal, the unknown reference included", async () => {
    const prefix = (id: string) => userIdPrefixOf(accountReference(id))!;
    const refusals = {
      unknown: await statementsOf(userIdPrefixOf("ffff-ffff-fffe")!),
      "did not agree": await statementsOf(prefix(ids.refused)),
      "agreed, no number": await statementsOf(prefix(ids.agreedNoNumber)),
      // "" starts every id: two or more accounts share it, as two sharing a reference would.
      ambiguous: await statementsOf(""),
    };
    for (const [what, r] of Object.entries(refusals)) expect(r.ok, what).toBe(false);
    const shape = refusals["did not agree"].trace;
    // The known person's path takes the row lock inside a transaction and audits there.
    expect(shape).toContain("$transaction");
    expect(shape).toContain("tx:user.updateMany");
    for (const [what, r] of Object.entries(refusals)) expect(r.trace, what).toEqual(shape);
  });
});

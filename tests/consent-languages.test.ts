// Consent in the person's language (issue 15): each decision is recorded against the text of the
// language it was made in, a text change in one language asks again exactly those who decided on
// it, and the ledger, the receipt and the report say which language that was.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHIPPED_PURPOSES } from "../lib/domain/purposes";
import { Client, ONLY_ACCOUNT, signedPayload } from "./support/client";
import { execute, query } from "./support/inspect";
import { startApp, type TestApp } from "./support/server";

type Me = {
  id: string;
  purposes: Record<
    string,
    { title: string; needsDecision: boolean; decidedOn: { locale: string; version: string } | null }
  >;
};
type Receipt = {
  language: string;
  services: {
    purposes: {
      purposeId: string;
      purpose: string;
      language: string;
      purposeVersion: string;
      textHash: string;
      text: { title: string } | null;
      textNote: string | null;
    }[];
  }[];
};
type Report = {
  purposes: { id: string; awaitingReconsent: number | string; versionsInForce: Record<string, string> }[];
};

const ADMIN_ID = "712000001";
const ENV = { ADMIN_TELEGRAM_IDS: ADMIN_ID };
const DECISIONS = { ...ONLY_ACCOUNT, display_name: true };
// Ten of each: the report publishes counts rounded to tens (below five, "fewer than 5"), so ten
// Russian decisions asked again read 10, and everyone (21 with the admin) reads 20.
const EN_IDS = Array.from({ length: 10 }, (_, i) => String(712_000_100 + i));
const RU_IDS = Array.from({ length: 10 }, (_, i) => String(712_000_200 + i));

let app: TestApp;
let secrets: Record<string, string>;
const userIds = new Map<string, string>();

beforeAll(async () => {
  app = await startApp({ label: "languages", env: ENV });
  const keys = [
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_BOT_USERNAME",
    "SESSION_SECRET",
    "FIELD_ENCRYPTION_KEY",
    "BLIND_INDEX_KEY",
  ];
  secrets = Object.fromEntries(keys.map((k) => [k, app.env[k]!]));
});
afterAll(async () => {
  await app?.stop();
  await app?.db.drop();
});

async function restartWith(purposes: unknown[] | null): Promise<void> {
  await app.stop();
  const env: Record<string, string> = { ...ENV };
  if (purposes) {
    const file = join(app.db.dir, `purposes-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify(purposes));
    env.PURPOSES_FILE = file;
  }
  app = await startApp({ label: "languages", db: app.db, secrets, env });
}

/** The shipped catalogue as a PURPOSES_FILE, display_name changed by `change`. */
function catalogueWith(change: (p: Record<string, unknown>) => Record<string, unknown>) {
  return Object.entries(SHIPPED_PURPOSES).map(([id, p]) => {
    const entry = { id, ...p, fields: [...p.fields], texts: structuredClone(p.texts) };
    return id === "display_name" ? change(entry) : entry;
  });
}

/** Signs in (a new person is asked, and answers in `locale` through PUT /api/me/consents). */
async function signIn(id: string, locale: "en" | "ru", how: "cookie" | "body" = "body"): Promise<Client> {
  const c = new Client(app.origin);
  // The switcher's cookie: the pages (and the API without a "locale") speak Russian.
  if (locale === "ru") c.cookies.set("lang", "ru");
  const res = await c.request("POST", "/api/auth/telegram", { json: signedPayload({ id, first_name: "Lena" }) });
  expect(res.status).toBe(200);
  const { next } = (await res.json()) as { next: string };
  if (next === "/consent") {
    const body = how === "body" ? { purposes: DECISIONS, locale } : { purposes: DECISIONS };
    const saved = await c.request("PUT", "/api/me/consents", { json: body });
    expect(saved.status).toBe(200);
  }
  const me = (await (await c.get("/api/me")).json()) as Me;
  userIds.set(id, me.id);
  return c;
}

async function me(c: Client): Promise<Me> {
  return (await (await c.get("/api/me")).json()) as Me;
}
const asked = (m: Me) =>
  Object.entries(m.purposes)
    .filter(([, v]) => v.needsDecision)
    .map(([k]) => k);

async function report(): Promise<Report> {
  const admin = new Client(app.origin);
  await admin.signIn({ id: ADMIN_ID });
  const res = await admin.get("/api/admin/report");
  expect(res.status).toBe(200);
  return (await res.json()) as Report;
}
const awaiting = (r: Report) => r.purposes.find((p) => p.id === "display_name")!.awaitingReconsent;

function verifyLedger(): string {
  try {
    return execFileSync("npm", ["run", "-s", "ledger:verify"], {
      env: { ...app.env, NODE_ENV: "production" },
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (e) {
    return String((e as { stderr: string }).stderr);
  }
}

describe("decisions in the language they were made in", () => {
  it("records the language of each decision (body, or the request's own) and refuses one not offered", async () => {
    for (const id of EN_IDS) await signIn(id, "en");
    for (const [i, id] of RU_IDS.entries()) await signIn(id, "ru", i % 2 ? "cookie" : "body");
    const states = await query<{ user_id: string; locale: string }>(
      app,
      `SELECT user_id, locale FROM consent_states WHERE purpose_id = 'display_name'`,
    );
    const localeOf = new Map(states.map((s) => [s.user_id, s.locale]));
    for (const id of EN_IDS) expect(localeOf.get(userIds.get(id)!)).toBe("en");
    for (const id of RU_IDS) expect(localeOf.get(userIds.get(id)!)).toBe("ru");
    const records = await query<{ locale: string; n: number }>(
      app,
      `SELECT locale, COUNT(*) AS n FROM consent_records GROUP BY locale ORDER BY locale`,
    );
    expect(records.map((r) => [r.locale, Number(r.n)])).toEqual([
      ["en", 6 * EN_IDS.length],
      ["ru", 6 * RU_IDS.length],
    ]);
    // The version recorded is Russian's, not English's.
    const ruMe = await me(await signIn(RU_IDS[0]!, "ru"));
    const enMe = await me(await signIn(EN_IDS[0]!, "en"));
    expect(ruMe.purposes.display_name!.decidedOn!.locale).toBe("ru");
    expect(ruMe.purposes.display_name!.decidedOn!.version).not.toBe(enMe.purposes.display_name!.decidedOn!.version);
    // Titles in the request's language.
    expect(ruMe.purposes.display_name!.title).toBe(SHIPPED_PURPOSES.display_name.texts.ru.title);
    expect(enMe.purposes.display_name!.title).toBe(SHIPPED_PURPOSES.display_name.texts.en.title);

    const c = await signIn(EN_IDS[1]!, "en");
    const bad = await c.request("PUT", "/api/me/consents", { json: { purposes: { username: true }, locale: "de" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/"de" is not a language this site offers/);
  });

  it("chains the language into the ledger: it verifies, and editing a record's language breaks it", async () => {
    expect(verifyLedger()).toMatch(/ledger intact/);
    for (const [from, to] of [
      ["ru", "en"],
      ["en", "ru"],
    ] as const) {
      const [{ seq }] = (await query<{ seq: number }>(
        app,
        `SELECT MAX(seq) AS seq FROM consent_records WHERE locale = $1`,
        [from],
      )) as [{ seq: number }];
      await execute(app, `UPDATE consent_records SET locale = $1 WHERE seq = $2`, [to, seq]);
      expect(verifyLedger()).toMatch(new RegExp(`TAMPERED at record ${seq}: record content does not match`));
      await execute(app, `UPDATE consent_records SET locale = $1 WHERE seq = $2`, [from, seq]);
    }
    expect(verifyLedger()).toMatch(/ledger intact/);
  });

  it("gives the receipt in the language decided on, with the text while it is in force", async () => {
    const c = await signIn(RU_IDS[0]!, "ru");
    const receipt = (await (await c.get("/api/me/receipt")).json()) as Receipt;
    expect(receipt.language).toBe("ru");
    const dn = receipt.services[0]!.purposes.find((p) => p.purposeId === "display_name")!;
    expect(dn).toMatchObject({ language: "ru", purpose: SHIPPED_PURPOSES.display_name.texts.ru.title, textNote: null });
    expect(dn.text?.title).toBe(SHIPPED_PURPOSES.display_name.texts.ru.title);
    expect(dn.textHash).toMatch(/^[0-9a-f]{64}$/);
    // The page too, even when the person now reads the site in English.
    c.cookies.set("lang", "en");
    const page = await (await c.get("/settings/receipt")).text();
    expect(page).toMatch(/<html lang="en"/);
    expect(page).toMatch(/<div lang="ru" dir="ltr">/);
    expect(page).toContain("Решение принято по тексту");
  });
});

describe("a text change in one language", () => {
  it("asks again exactly those who decided on that language's text", async () => {
    expect(awaiting(await report())).toBe(0);
    await restartWith(
      catalogueWith((p) => {
        const texts = p.texts as typeof SHIPPED_PURPOSES.display_name.texts;
        return { ...p, texts: { ...texts, ru: { ...texts.ru, ifRefused: "Мы приветствуем вас без имени." } } };
      }),
    );
    const ruClients: Client[] = [];
    for (const id of RU_IDS) {
      const c = new Client(app.origin);
      ruClients.push(c);
      c.cookies.set("lang", "ru");
      const res = await c.request("POST", "/api/auth/telegram", { json: signedPayload({ id, first_name: "Lena" }) });
      expect(await res.json()).toEqual({ next: "/consent" });
      expect(asked(await me(c))).toEqual(["display_name"]);
    }
    for (const id of EN_IDS) {
      const c = await signIn(id, "en");
      expect(asked(await me(c))).toEqual([]);
      // The consent page has nothing to ask.
      const page = await c.get("/consent");
      expect(page.status).toBeGreaterThanOrEqual(300);
      expect(page.headers.get("location")).toMatch(/\/settings$/);
    }
    expect(awaiting(await report())).toBe(10);

    const ru = ruClients[0]!;
    const page = await (await ru.get("/consent")).text();
    expect(page).toContain('data-testid="consent-display_name"');
    expect(page).not.toContain('data-testid="consent-username"');
    expect(page).toContain('name="locale" value="ru"');
    // Until decided again, the receipt keeps only the hash of the text decided on.
    const receipt = (await (await ru.get("/api/me/receipt")).json()) as Receipt;
    const dn = receipt.services[0]!.purposes.find((p) => p.purposeId === "display_name")!;
    expect(dn.text).toBeNull();
    expect(dn.textNote).toMatch(/earlier version/);
    expect(dn.textHash).toMatch(/^[0-9a-f]{64}$/);
    // Deciding again (in Russian: the cookie) settles it.
    expect((await ru.request("PUT", "/api/me/consents", { json: { purposes: { display_name: true } } })).status).toBe(
      200,
    );
    expect(asked(await me(ru))).toEqual([]);
    expect((await me(ru)).purposes.display_name!.decidedOn!.locale).toBe("ru");
  });

  it("a change to fields or retention asks everyone again, whatever their language", async () => {
    await restartWith(catalogueWith((p) => ({ ...p, retentionDays: 180 })));
    for (const [id, locale] of [
      [EN_IDS[2]!, "en"],
      [RU_IDS[2]!, "ru"],
    ] as const) {
      const c = new Client(app.origin);
      if (locale === "ru") c.cookies.set("lang", "ru");
      const res = await c.request("POST", "/api/auth/telegram", { json: signedPayload({ id, first_name: "Lena" }) });
      expect(await res.json()).toEqual({ next: "/consent" });
      expect(asked(await me(c))).toEqual(["display_name"]);
    }
    expect(awaiting(await report())).toBe(20);
    expect(verifyLedger()).toMatch(/ledger intact/);
  });
});

import "server-only";
// Demo mode: fictional people (lib/core/demo-personas.ts) signed in with the demo bot token that
// lib/core/env.ts generates, a report filled with synthetic people, and a simulated phone sharing. Demo
// mode signs its own logins, so it must only ever serve the machine it runs on: lib/core/env.ts refuses
// it on PostgreSQL, off a loopback APP_ORIGIN or beside a real bot token; startup refuses it unless
// the server listens on loopback alone; and each demo request refuses one that a proxy forwarded.
import { isIP, Server } from "node:net";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { runConsentCheck } from "../data/consent-check";
import { savePhoneFromTelegram, type SavePhoneResult } from "../data/phone";
import { countSyntheticPeople, seedSyntheticPeople } from "../data/seed";
import type { SessionUser } from "../data/sessions";
import { telegramIdIndex } from "../data/vault";
import {
  DEMO_ADMIN_PERSONA,
  DEMO_PERSONAS,
  DEMO_PHONES,
  demoPersonaProfile,
  type DemoPersona,
  type DemoPersonaProfile,
} from "../core/demo-personas";
import { ConfigError, env } from "../core/env";
import { nowSeconds } from "../web/session-cookie";
import { signWidgetPayload } from "../telegram/widget";

export { DEMO_ADMIN_PERSONA, DEMO_PERSONAS, DEMO_PHONES, type DemoPersona };

// The last auth_date signed per persona. Two payloads of one person signed in the same second are
// the same payload, and the second is rightly refused as a replay: a double click on a demo button
// would end in "could not confirm". Each new one is dated at least a second after the last, which
// stays inside the allowed clock skew (AUTH_FUTURE_SKEW_SECONDS) for any human clicking.
const lastSigned = new Map<string, number>();

export function demoPayload(persona: string): Record<string, string> | null {
  const e = env();
  if (!e.demo || !e.botToken || !Object.hasOwn(DEMO_PERSONAS, persona)) return null;
  const authDate = Math.max(nowSeconds(), (lastSigned.get(persona) ?? 0) + 1);
  lastSigned.set(persona, authDate);
  return signWidgetPayload(e.botToken, { ...DEMO_PERSONAS[persona as DemoPersona], auth_date: String(authDate) });
}

export type DemoPersonaCard = { id: DemoPersona; label: string; admin: boolean } & DemoPersonaProfile;

/** The home page's persona list: who each one is and which profile fields Telegram would send. */
export function demoPersonaList(): DemoPersonaCard[] {
  return (Object.keys(DEMO_PERSONAS) as DemoPersona[]).map((id) => ({
    id,
    label: DEMO_PERSONAS[id].first_name,
    ...demoPersonaProfile(id),
    admin: id === DEMO_ADMIN_PERSONA,
  }));
}

/** The persona's fictional number, for display ("+61 491 570 006"). */
export function demoPhoneDisplay(persona: DemoPersona): string {
  return parsePhoneNumberFromString(`+${DEMO_PHONES[persona]}`)!.formatInternational();
}

export function isLoopbackAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, "").toLowerCase();
  if (a === "::1") return true;
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/**
 * The addresses this process's servers listen on. Next gives the app no handle on its HTTP server,
 * and `next start` exposes no bind address (it sets no HOSTNAME; __NEXT_PRIVATE_ORIGIN says
 * "localhost" even when it listens on 0.0.0.0), so this asks Node for its open handles. Next runs
 * instrumentation's register() once its server is listening, so the server is among them.
 */
function listeningAddresses(): string[] {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  return handles
    .filter((h): h is Server => h instanceof Server && h.listening)
    .map((s) => {
      const a = s.address();
      return typeof a === "string" || a === null ? String(a) : a.address;
    });
}

/**
 * Startup: demo mode runs only when every listening server is bound to a loopback address. An
 * APP_ORIGIN of localhost proves nothing about the socket: `DEMO_MODE=1 npm start` listens on every
 * interface, and any client that sends the expected Origin could sign in as a persona. Fails closed
 * when no listening server can be seen.
 */
export function assertDemoListensOnLoopback(addresses = listeningAddresses()): void {
  if (!env().demo) return;
  const open = addresses.filter((a) => !isLoopbackAddress(a));
  if (addresses.length === 0 || open.length > 0) {
    throw new ConfigError(
      `Invalid configuration:\n  DEMO_MODE: the demo listens on loopback only; this server listens on ${addresses.length ? addresses.join(", ") : "an address it cannot see"}. Start it with \`npm run demo\` (or \`next start -H 127.0.0.1\`).`,
    );
  }
}

export type DemoRefusal = { status: 403 | 404; message: string };

/**
 * Every demo request: 404 outside demo mode; 403 for a request that a proxy on this machine
 * forwarded from elsewhere (`next start` fills X-Forwarded-For from the socket only when it is
 * absent, so a loopback peer that names another client is a proxy, or a client lying against its
 * own interest). The socket peer itself is loopback: startup refused any other bind.
 */
export function demoRefusal(headers: Headers): DemoRefusal | null {
  if (!env().demo) return { status: 404, message: "The demo is off on this server." };
  const named = [
    ...(headers.get("x-forwarded-for") ?? "").split(","),
    // Every header a proxy or CDN may name the client in (nginx, Apache, Akamai, Cloudflare).
    ...["x-real-ip", "x-client-ip", "true-client-ip"].map((h) => headers.get(h) ?? ""),
    ...[...(headers.get("forwarded") ?? "").matchAll(/for="?([^;,"]+)/gi)].map((m) => m[1]!.replace(/:\d+$/, "")),
  ]
    .map((s) => s.trim())
    .filter(Boolean);
  if (named.some((a) => !isLoopbackAddress(a)))
    return { status: 403, message: "The demo answers only on the machine it runs on." };
  return null;
}

/** For the settings page (after a phone purpose is granted): the demo offers a simulated sharing step. */
export function demoPhoneSharingAvailable(): boolean {
  return env().demo;
}

/** Which persona a signed-in user is (demo sign-ins only come from personas). */
export function demoPersonaOf(user: SessionUser): DemoPersona | null {
  const found = (Object.keys(DEMO_PERSONAS) as DemoPersona[]).find(
    (p) => telegramIdIndex(BigInt(DEMO_PERSONAS[p].id)) === user.telegramIdIndex,
  );
  return found ?? null;
}

export type DemoPhoneResult = SavePhoneResult | { ok: false; reason: "refused"; status: 403 | 404; message: string };

/**
 * The simulated sharing: plays Telegram's part (the persona's fictional number, as Telegram sends
 * it, for its own account) and hands it to the same savePhoneFromTelegram the bot's contact button
 * reaches, so consent, normalization, encryption, the blind index and the audit are the real ones.
 * It is recorded as the bot method, the path it simulates.
 */
export async function shareDemoPhone(user: SessionUser, headers: Headers): Promise<DemoPhoneResult> {
  const refusal = demoRefusal(headers);
  if (refusal) return { ok: false, reason: "refused", ...refusal };
  const persona = demoPersonaOf(user);
  if (!persona)
    return {
      ok: false,
      reason: "refused",
      status: 403,
      message: "Only the demo's personas can use the simulated sharing.",
    };
  return savePhoneFromTelegram(user.id, DEMO_PHONES[persona], "bot");
}

export const DEMO_FILL_PEOPLE = 500;

export type DemoFillResult =
  { ok: true; added: number; erased: number; checkedAt: Date } | ({ ok: false } & DemoRefusal);

/**
 * "Add 500 synthetic people": the same seeding as `npm run seed`, then the consent check, so the
 * report's "last checked" line covers the people just added instead of predating them.
 */
export async function fillDemoReport(headers: Headers): Promise<DemoFillResult> {
  const refusal = demoRefusal(headers);
  if (refusal) return { ok: false, ...refusal };
  const seeded = await seedSyntheticPeople({ users: DEMO_FILL_PEOPLE, batch: 100 });
  const check = await runConsentCheck();
  return { ok: true, added: seeded.users + seeded.erased, erased: seeded.erased, checkedAt: check.checkedAt };
}

export { countSyntheticPeople };

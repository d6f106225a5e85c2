// One person's way through a running container, spoken over HTTP like the other suites: sign in
// through the Login Widget path (payloads signed with the test bot token), consent, export; a second
// person signs in and erases their account. `afterRestart` checks what must have survived.
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { Client, ONLY_ACCOUNT } from "../support/client";

export type Journey = { keeper: { id: string; first_name: string }; keeperId: string };

function telegramId(): string {
  return String(100_000_000 + randomBytes(4).readUInt32BE(0));
}

type Export = { purposes: { id: string; stored: Record<string, unknown> }[] };

async function exported(c: Client): Promise<Export> {
  const res = await c.get("/api/me/export");
  expect(res.status).toBe(200);
  return (await res.json()) as Export;
}

export async function firstVisit(origin: string): Promise<Journey> {
  const keeper = { id: telegramId(), first_name: "Container" };
  const c = new Client(origin);
  expect((await c.signIn(keeper, { ...ONLY_ACCOUNT, display_name: true })).next).toBe("/consent");
  const me = (await (await c.get("/api/me")).json()) as { id: string; purposes: Record<string, { granted: boolean }> };
  expect(me.purposes.display_name!.granted).toBe(true);
  const data = await exported(c);
  expect(data.purposes.find((p) => p.id === "display_name")!.stored).toMatchObject({
    first_name: { value: "Container" },
  });

  const leaver = new Client(origin);
  await leaver.signIn({ id: telegramId(), first_name: "Leaver" });
  const erased = await leaver.request("DELETE", "/api/me");
  expect(erased.status).toBe(200);
  expect((await leaver.get("/api/me")).status).toBe(401);
  return { keeper, keeperId: me.id };
}

/** After a restart: the keeper signs in again without being asked, and their data is still there. */
export async function afterRestart(origin: string, journey: Journey): Promise<void> {
  const c = new Client(origin);
  expect((await c.signIn(journey.keeper)).next).not.toBe("/consent");
  const me = (await (await c.get("/api/me")).json()) as { id: string };
  expect(me.id).toBe(journey.keeperId);
  const data = await exported(c);
  expect(data.purposes.find((p) => p.id === "display_name")!.stored).toMatchObject({
    first_name: { value: "Container" },
  });
}

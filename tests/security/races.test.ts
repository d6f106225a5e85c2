// Races between one person's own requests, sent at the same moment from two devices: a sign-in
// against the erasure of the same account, a sign-in against a consent change, two erasures. Each
// pair is fired with a random offset of a few milliseconds so the requests interleave at different
// points of their transactions. No answer may be a 5xx, the outcome must be one of the orders the
// requests could have run in, and afterwards nobody is half erased and every counter agrees.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Client, EVERYTHING, signedPayload } from "../support/client";
import { counterMismatches, storedState } from "../support/consistency";
import { query } from "../support/inspect";
import { startApp, type TestApp } from "../support/server";
import { recordFigure } from "./support";

const ROUNDS = Number(process.env.RACE_ROUNDS ?? "40");

let app: TestApp;
let nextId = 7_300_000_000;
let pairs = 0;
const orders = { signInFirst: 0, erasureFirst: 0 };

beforeAll(async () => {
  app = await startApp({ label: "sec-races" });
});
afterAll(async () => {
  recordFigure(
    "racing request pairs of one person (sign-in vs erasure, sign-in vs consent change, erasure vs erasure)",
    pairs,
    `sign-in vs erasure landed sign-in first ${orders.signInFirst}, erasure first ${orders.erasureFirst}`,
  );
  await app?.stop();
  await app?.db.drop();
});

async function person(): Promise<{
  profile: { id: string; first_name: string; username: string };
  client: Client;
  userId: string;
}> {
  const profile = { id: String(nextId++), first_name: "Racer", username: `racer_${nextId}` };
  const client = new Client(app.origin);
  await client.signIn(profile, EVERYTHING);
  const userId = ((await (await client.get("/api/me")).json()) as { id: string }).id;
  return { profile, client, userId };
}

/** The server's error lines, for the message of a failed expectation (they never hold personal data). */
function serverErrors(): string {
  return readFileSync(app.logFile, "utf8")
    .split("\n")
    .filter((l) => /"level":(50|60)|⨯|Error/.test(l))
    .slice(-5)
    .join("\n");
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Both requests started within a few milliseconds of each other, in either order. */
async function race<A, B>(a: () => Promise<A>, b: () => Promise<B>, round: number): Promise<[A, B]> {
  const offset = (round * 7) % 13;
  const first = round % 2 === 0;
  pairs += 1;
  return Promise.all([
    (async () => (first ? a() : (await pause(offset), a())))(),
    (async () => (first ? (await pause(offset), b()) : b()))(),
  ]);
}

it(`a sign-in racing the erasure of the same account, ${ROUNDS} times: never a 5xx, never a half-erased or revived account`, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const { profile, client, userId } = await person();
    const device = new Client(app.origin);
    const [signIn, erase] = await race(
      () => device.request("POST", "/api/auth/telegram", { json: signedPayload(profile) }),
      () => client.request("DELETE", "/api/me"),
      round,
    );
    const signInBody = (await signIn.json()) as { next?: string; error?: string };
    expect(signIn.status, `round ${round} sign-in: ${JSON.stringify(signInBody)}\n${serverErrors()}`).toBe(200);
    expect(erase.status, `round ${round} erasure\n${serverErrors()}`).toBe(200);
    // Either order is possible; in both the account is gone and the new device is not signed in to it.
    expect(await storedState(app, userId)).toEqual({ user: false, fields: [], consents: [] });
    expect((await device.get("/api/me")).status, `round ${round}: the racing device still has a session`).toBe(401);
    // A sign-in that ran after the erasure is a first sign-in again: it waits for consent.
    if (signInBody.next === "/consent") orders.erasureFirst += 1;
    else orders.signInFirst += 1;
    if (signInBody.next === "/consent")
      expect(
        [...device.cookies.keys()].some((k) => k.endsWith("pending")),
        `round ${round}`,
      ).toBe(true);
  }
  expect(await counterMismatches(app)).toEqual([]);
});

it(`a sign-in racing a consent change of the same account, ${ROUNDS} times: both land, nothing stored without consent`, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const { profile, client, userId } = await person();
    const device = new Client(app.origin);
    const [signIn, withdraw] = await race(
      () => device.request("POST", "/api/auth/telegram", { json: signedPayload(profile) }),
      () => client.request("PUT", "/api/me/consents", { json: { purposes: { username: false } } }),
      round,
    );
    expect(signIn.status, `round ${round} sign-in\n${serverErrors()}`).toBe(200);
    expect(withdraw.status, `round ${round} withdrawal\n${serverErrors()}`).toBe(200);
    // Whichever ran first, the username is not stored once its consent is withdrawn.
    const state = await storedState(app, userId);
    expect(state.fields, `round ${round}`).not.toContain("username");
    expect(state.consents, `round ${round}`).toContain("username=false");
    expect(state.fields, `round ${round}`).toContain("first_name");
  }
  expect(await counterMismatches(app)).toEqual([]);
});

it(`two erasures of the same account at once, ${ROUNDS} times: one erases, the other finds nothing, neither fails`, async () => {
  const erasures = async () =>
    Number(
      (await query<{ n: number | string }>(app, "SELECT value AS n FROM counters WHERE name = 'erasures'"))[0]?.n ?? 0,
    );
  const before = await erasures();
  for (let round = 0; round < ROUNDS; round++) {
    const { profile, client, userId } = await person();
    // A second device of the same person, signed in before either erasure.
    const other = new Client(app.origin);
    await other.signIn(profile, EVERYTHING);
    const [a, b] = await race(
      () => client.request("DELETE", "/api/me"),
      () => other.request("DELETE", "/api/me"),
      round,
    );
    const statuses = [a.status, b.status].sort();
    // The loser either waited and found the account gone (its session is dead: 401) or was erased by
    // the same transaction order and answers as a finished erasure (200).
    expect(
      statuses.every((s) => s === 200 || s === 401),
      `round ${round}: ${statuses}\n${serverErrors()}`,
    ).toBe(true);
    expect(statuses, `round ${round}`).toContain(200);
    expect(await storedState(app, userId)).toEqual({ user: false, fields: [], consents: [] });
  }
  expect(await counterMismatches(app)).toEqual([]);
  // Each account was erased exactly once.
  expect((await erasures()) - before).toBe(ROUNDS);
});

it("the server logged no unhandled error during the races", () => {
  expect(serverErrors()).toBe("");
});

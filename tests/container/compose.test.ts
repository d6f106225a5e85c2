// compose.yaml brought up as an operator would (podman-compose, or `podman compose` where Podman
// has it), with an .env made from .env.example: PostgreSQL, the migration service, and both app
// instances of the "two" profile on one database. One journey runs through the first instance; the
// second sees the same session.
import { randomBytes } from "node:crypto";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { Client } from "../support/client";
import { freshDatabase } from "../support/databases";
import { testSecrets } from "../support/secrets";
import { freePort } from "../support/server";
import { firstVisit } from "./journey";
import { IMAGE, podman, podmanEnv, run } from "./podman";

/** Debian's podman-compose, else Podman's own `compose` subcommand (Podman 4.7 and later). */
async function composeCommand(): Promise<string[]> {
  if ((await run("podman-compose", ["version"]).catch(() => ({ code: 1 }))).code === 0) return ["podman-compose"];
  return ["podman", "compose"];
}

/** .env.example with its required blanks filled in, as an operator would. */
function envFromExample(values: Record<string, string>): string {
  const lines = readFileSync(".env.example", "utf8").split("\n");
  const filled = lines.map((line) => {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    return m && m[1]! in values ? `${m[1]}=${values[m[1]!]}` : line;
  });
  const missing = lines.filter((l) => /^[A-Z0-9_]+=$/.test(l) && !(l.slice(0, -1) in values));
  if (missing.length) throw new Error(`.env.example has required variables the test does not fill: ${missing}`);
  return filled.join("\n");
}

const project = `clcompose${randomBytes(3).toString("hex")}`;
let compose: string[] = [];
let dir = "";
const composeRun = (...args: string[]) =>
  run(compose[0]!, [...compose.slice(1), "-p", project, "-f", join(dir, "compose.yaml"), ...args], {
    env: { ...podmanEnv, APP_IMAGE: IMAGE },
  });

afterAll(async () => {
  if (!dir) return;
  // The anonymous volumes of the image's VOLUME, which `down -v` leaves behind (it removes pgdata).
  const ids = (await run("podman", ["ps", "-a", "-q", "--filter", `label=io.podman.compose.project=${project}`])).stdout
    .split("\n")
    .filter(Boolean);
  const mounts = ids.length
    ? await run("podman", ["inspect", "--format", "{{range .Mounts}}{{.Name}} {{end}}", ...ids])
    : { stdout: "" };
  await composeRun("down", "-v");
  for (const volume of new Set(mounts.stdout.split(/\s+/).filter(Boolean)))
    await run("podman", ["volume", "rm", "-f", volume]);
});

it("brings up PostgreSQL, the migration step and two instances, and serves a journey", async () => {
  compose = await composeCommand();
  dir = (await freshDatabase("compose", "sqlite")).dir;
  copyFileSync("compose.yaml", join(dir, "compose.yaml"));
  const [port, port2] = [await freePort(), await freePort()];
  const origin = `http://localhost:${port}`;
  const s = testSecrets();
  const env = envFromExample({
    APP_ORIGIN: origin,
    TELEGRAM_BOT_TOKEN: s.TELEGRAM_BOT_TOKEN,
    TELEGRAM_BOT_USERNAME: s.TELEGRAM_BOT_USERNAME,
    SESSION_SECRET: s.SESSION_SECRET,
    FIELD_ENCRYPTION_KEY: s.FIELD_ENCRYPTION_KEY,
    BLIND_INDEX_KEY: s.BLIND_INDEX_KEY,
    CONTROLLER_NAME: "Test Controller Ltd",
    CONTROLLER_CONTACT: "privacy@controller.test",
    PRIVACY_POLICY_URL: "https://controller.test/privacy",
    POSTGRES_PASSWORD: randomBytes(24).toString("hex"),
  });
  writeFileSync(join(dir, ".env"), `${env}\nAPP_PORT=${port}\nAPP_2_PORT=${port2}\nRATE_LIMIT_FACTOR=1000\n`, {
    mode: 0o600,
  });

  // Every service named, which also enables app-2 of the "two" profile (podman-compose 1.0 knows no
  // profiles and has no --profile option, so naming them is what works with both).
  const up = await composeRun("up", "-d", "--no-build", "db", "migrate", "app", "app-2");
  expect(up.code, up.stderr + up.stdout).toBe(0);

  // No compose here waits on healthchecks reliably, so the instances may start before PostgreSQL
  // answers: they stop, and their restart policy starts them again until it does.
  const deadline = Date.now() + 180_000;
  for (const p of [port, port2]) {
    for (;;) {
      const ok = await fetch(`http://localhost:${p}/api/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) {
        const logs = await composeRun("logs");
        throw new Error(`instance on ${p} not healthy:\n${logs.stdout.slice(-6000)}${logs.stderr.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const containers = JSON.parse(
    await podman("ps", "-a", "--filter", `label=io.podman.compose.project=${project}`, "--format", "json"),
  ) as {
    Names: string[];
    State: string;
    ExitCode: number;
  }[];
  const migrate = containers.find((c) => c.Names[0]!.includes("migrate"))!;
  expect(migrate).toMatchObject({ State: "exited", ExitCode: 0 });
  const app = containers.find((c) => /_app_1$/.test(c.Names[0]!))!.Names[0]!;
  expect(await podman("exec", app, "id", "-un")).toBe("node");
  expect((await run("podman", ["healthcheck", "run", app])).code).toBe(0);

  const journey = await firstVisit(origin);
  // The second instance: same database, same secrets, so the same session.
  const other = new Client(`http://localhost:${port2}`);
  const keeper = new Client(origin);
  await keeper.signIn(journey.keeper);
  other.cookies = keeper.cookies;
  const me = await other.get("/api/me");
  expect(me.status).toBe(200);
  expect(((await me.json()) as { id: string }).id).toBe(journey.keeperId);
});

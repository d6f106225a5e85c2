// patches/next-intl+4.15.0.patch: next-intl's server configuration builds its Intl formatters once for
// the process instead of once per request (constructing an Intl.DateTimeFormat or NumberFormat cost
// the settings page about 400 µs a request; docs/measurements/pages-cost-log.md). This loads the
// installed getConfig of both of next-intl's builds as Next's server would (its request config is the
// plugin's alias, stubbed here), in a process of its own so the loader hooks stay there, and checks
// that two requests get the same formatters and that the shared ones still format each language in
// its own way.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "shared-formatters-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOOKS = `
const STUB = "export default ({ locale }) => ({ locale: locale ?? 'en', messages: {}, timeZone: 'UTC' });";
export async function resolve(specifier, context, next) {
  if (specifier === "next-intl/config") return { url: "data:text/javascript," + encodeURIComponent(STUB), shortCircuit: true };
  // Next's bundler resolves its extensionless entry points; Node's ESM loader needs the file.
  if (specifier === "next/headers") return next("next/headers.js", context);
  return next(specifier, context);
}`;

function runner(build: "production" | "development"): string {
  const getConfig = pathToFileURL(
    resolve(`node_modules/next-intl/dist/esm/${build}/server/react-server/getConfig.js`),
  ).href;
  return `
import { register } from "node:module";
register(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});
const { default: getConfig } = await import(${JSON.stringify(getConfig)});
const [en, enAgain, de] = [await getConfig("en"), await getConfig("en"), await getConfig("de")];
const day = new Date(Date.UTC(2026, 11, 7));
const long = (c) => c._formatters.getDateTimeFormat(c.locale, { dateStyle: "long", timeZone: "UTC" }).format(day);
console.log(JSON.stringify({
  shared: en._formatters === enAgain._formatters && en._formatters === de._formatters,
  en: long(en),
  de: long(de),
  sameInstance: en._formatters.getDateTimeFormat("en", { dateStyle: "long", timeZone: "UTC" }) ===
    enAgain._formatters.getDateTimeFormat("en", { dateStyle: "long", timeZone: "UTC" }),
}));`;
}

describe("next-intl's server formatters (patched)", () => {
  writeFileSync(join(dir, "hooks.mjs"), HOOKS);
  for (const build of ["production", "development"] as const) {
    it(`are built once for the process in the ${build} build, and still format each language its own way`, () => {
      const file = join(dir, `${build}.mjs`);
      writeFileSync(file, runner(build));
      const out = JSON.parse(execFileSync(process.execPath, [file], { encoding: "utf8" }).trim().split("\n").at(-1)!);
      expect(out).toEqual({ shared: true, en: "December 7, 2026", de: "7. Dezember 2026", sameInstance: true });
    });
  }
});

// Finds a Chromium for the browser tests, or gets one, and says what it did. In order:
//   1. CHROMIUM_PATH, if set (it must be an executable);
//   2. Debian's headless shell, /usr/bin/chromium-headless-shell, then Debian's /usr/bin/chromium;
//   3. the Chromium that Playwright itself downloaded earlier;
//   4. Playwright's own download (`npx playwright install chromium`), where its host can be reached;
//   5. Debian's package (`apt-get install chromium-headless-shell`, else `chromium`), as root, where
//      it cannot.
// The headless shell first: it is the build Playwright itself runs headless tests in, without the
// full browser's window system, and the browser suite ran faster in it (e2e/matrix.spec.ts: 39 s
// against 52 s in Debian's full chromium, two runs each in turn, 7 December 2026).
// Returns the executable's path; the test runners hand it to Playwright as CHROMIUM_PATH
// (playwright.config.ts). Run alone (`node scripts/chromium.mjs`) it only prints the path.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

const DEBIAN_SHELL = "/usr/bin/chromium-headless-shell";
const DEBIAN = "/usr/bin/chromium";

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Debian's headless shell, else Debian's full chromium, else null: what is installed, nothing fetched. */
export function debianChromium() {
  return [DEBIAN_SHELL, DEBIAN].find(executable) ?? null;
}

async function playwrightsOwn() {
  try {
    const { chromium } = await import("playwright-core");
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function run(label, cmd, args, timeoutMs) {
  console.log(`  chromium: ${label}`);
  const r = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], timeout: timeoutMs });
  return r.status === 0;
}

export async function findChromium() {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) {
    if (executable(chosen)) return say(chosen, "CHROMIUM_PATH");
    throw new Error(`CHROMIUM_PATH=${chosen} is not an executable file.`);
  }
  const debian = debianChromium();
  if (debian === DEBIAN_SHELL) return say(debian, "Debian's headless shell");
  if (debian) return say(debian, "Debian's package; its chromium-headless-shell runs the browser tests faster");
  const own = await playwrightsOwn();
  if (own) return say(own, "Playwright's own download");

  // A download that cannot reach its host fails at once or hangs: bound it.
  if (run("none found; trying Playwright's own download", "npx", ["playwright", "install", "chromium"], 5 * 60_000)) {
    const got = await playwrightsOwn();
    if (got) return say(got, "Playwright's own download, just installed");
  }
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (root && existsSync("/usr/bin/apt-get")) {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const updated = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env }).status === 0;
    // Older Debian releases have no headless shell package: the full browser serves as well.
    for (const pkg of updated ? ["chromium-headless-shell", "chromium"] : []) {
      const label = `Playwright's download failed; installing Debian's ${pkg} (apt-get, as root)`;
      if (!run(label, "apt-get", ["install", "-y", "-qq", pkg], 15 * 60_000)) continue;
      const got = debianChromium();
      if (got) return say(got, "Debian's package, just installed");
    }
  }
  throw new Error(
    "No Chromium for the browser tests, and none could be installed: run `npx playwright install chromium`, or as root `apt-get install chromium-headless-shell`, or set CHROMIUM_PATH.",
  );
}

function say(path, how) {
  console.log(`  chromium: ${path} (${how})`);
  return path;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    await findChromium();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}

// Copies Telegram's telegram-web-app.js, as the pinned @twa-dev/sdk package carries it, to
// public/telegram-web-app.js, where the Mini App page (/tg) loads it from this site's own origin.
// Run after upgrading @twa-dev/sdk; lib/telegram/web-app-script.test.ts fails while the copies differ.
import { copyFileSync } from "node:fs";

// The package's exports do not reach its src/ folder, so the file is taken by its path.
copyFileSync("node_modules/@twa-dev/sdk/src/telegram-web-apps.js", "public/telegram-web-app.js");
console.log("public/telegram-web-app.js updated from @twa-dev/sdk");

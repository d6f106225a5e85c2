// Better Auth as its docs set it up for Next.js (auth.js exporting `auth`, the catch-all route
// handing requests to toNextJsHandler), on better-sqlite3 or a pg Pool as its database docs show,
// with the better-auth-telegram plugin configured as its README says (bot token and username).
// Secrets come from BETTER_AUTH_SECRET and BETTER_AUTH_URL, which Better Auth reads itself.
import { betterAuth } from "better-auth";
import { telegram } from "better-auth-telegram";
import Database from "better-sqlite3";
import { Pool } from "pg";

const url = process.env.DATABASE_URL ?? "";

export const auth = betterAuth({
  database: url.startsWith("file:") ? new Database(url.slice("file:".length)) : new Pool({ connectionString: url }),
  plugins: [
    telegram({
      botToken: process.env.TELEGRAM_BOT_TOKEN,
      botUsername: process.env.TELEGRAM_BOT_USERNAME,
      // As documented, the first sign-in fails: the plugin creates the user with no email and Better
      // Auth's user table requires one ("NOT NULL constraint failed: user.email" on SQLite). The
      // plugin's default mapping, plus the placeholder address its own OIDC path uses (`<sub>@telegram.oidc`).
      mapTelegramDataToUser: (data) => ({
        name: data.last_name ? `${data.first_name} ${data.last_name}` : data.first_name,
        image: data.photo_url,
        email: `${data.id}@telegram.widget`,
      }),
    }),
  ],
  // Then the first sign-in fails again ("NOT NULL constraint failed: account.updatedAt"): the plugin
  // creates the account row through the bare adapter, and Better Auth's account.updatedAt has no
  // default. A default through the documented additionalFields, which replace the core field's definition.
  account: { additionalFields: { updatedAt: { type: "date", required: true, input: false, defaultValue: () => new Date(), onUpdate: () => new Date() } } },
  // The plugin limits sign-ins to 10 a minute per address, and the benchmark signs in thousands of
  // times from one address: the limiter still runs, with a ceiling the load never reaches (the app
  // it is compared with runs its own limiter the same way, RATE_LIMIT_FACTOR=1000).
  rateLimit: { customRules: { "/telegram/signin": { window: 60, max: 1_000_000_000 } } },
});

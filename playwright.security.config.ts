import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// `npm run test:security`: the browser part of the security suite (axe and CSP in Chromium).
export default defineConfig({ ...base, testDir: "e2e/security", testIgnore: [] });

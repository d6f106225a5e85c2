// First-load JavaScript: the bytes of every <script src> chunk a page's HTML references, raw and
// gzipped, for the home, consent and settings pages and the blank reference page.
import { gzipSync } from "node:zlib";
import { Client, ONLY_ACCOUNT, signedPayload } from "../../tests/support/client";

export type PageJs = { scripts: number; bytes: number; gzipBytes: number };

async function pageJs(client: Client, path: string): Promise<PageJs> {
  const res = await client.get(path);
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  const html = await res.text();
  const srcs = [
    ...new Set([...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&"))),
  ];
  let bytes = 0;
  let gzipBytes = 0;
  for (const src of srcs) {
    const js = await client.get(new URL(src, client.origin).pathname);
    const body = Buffer.from(await js.arrayBuffer());
    bytes += body.length;
    gzipBytes += gzipSync(body, { level: 9 }).length;
  }
  return { scripts: srcs.length, bytes, gzipBytes };
}

export async function measurePages(
  origin: string,
  telegramId: string,
): Promise<Record<"blank" | "home" | "consent" | "settings", PageJs>> {
  const anonymous = new Client(origin);
  const blank = await pageJs(anonymous, "/bench/blank");
  const home = await pageJs(anonymous, "/");
  // A first sign-in waits on the consent page; after deciding, the settings page is the user's own.
  const person = new Client(origin);
  const res = await person.request("POST", "/api/auth/telegram", {
    json: signedPayload({ id: telegramId, first_name: "Pages" }),
  });
  if (res.status !== 200) throw new Error(`sign-in for the page benchmark answered ${res.status}`);
  const consent = await pageJs(person, "/consent");
  const decided = await person.request("PUT", "/api/me/consents", { json: { purposes: ONLY_ACCOUNT } });
  if (decided.status !== 200) throw new Error(`consent for the page benchmark answered ${decided.status}`);
  const settings = await pageJs(person, "/settings");
  return { blank, home, consent, settings };
}

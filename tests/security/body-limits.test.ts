// Oversized bodies are refused before they are read (issue 13, item 8). The client below sends the
// headers and only the first part of a body it announces (or streams) as far too large, then waits
// with the rest unsent: a server that reads the body before refusing it never answers, one that
// refuses first answers 413 while the client still holds the rest.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../support/server";
import { recordFigure } from "./support";

let app: TestApp;
let refused = 0;
const WEBHOOK_SECRET = randomBytes(24).toString("base64url");

beforeAll(async () => {
  app = await startApp({ label: "sec-bodies", env: { TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET } });
});
afterAll(async () => {
  recordFigure("oversized bodies refused before they were read", refused);
  await app?.stop();
  await app?.db.drop();
});

type Answer = { status: number; body: string; headers: string };

/**
 * Sends `head` and `sent` and never the rest of the body; resolves with the answer. A server that
 * waits for the whole body never answers, and the guard below turns that into a failure.
 */
function partialRequest(head: string, sent: Buffer[]): Promise<Answer> {
  const { port } = new URL(app.origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    let received = Buffer.alloc(0);
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error("no answer while the rest of the body was held back: the server waits for the whole body"));
    }, 60_000);
    const finish = () => {
      const text = received.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return false;
      const headers = text.slice(0, end);
      const raw = received.subarray(end + 4);
      let body: Buffer;
      if (/\r\ntransfer-encoding: *chunked/i.test(headers)) {
        if (!raw.toString("latin1").endsWith("0\r\n\r\n")) return false;
        const parts: Buffer[] = [];
        for (let at = 0; ;) {
          const eol = raw.indexOf("\r\n", at);
          const size = parseInt(raw.subarray(at, eol).toString("latin1"), 16);
          if (!size) break;
          parts.push(raw.subarray(eol + 2, eol + 2 + size));
          at = eol + 2 + size + 2;
        }
        body = Buffer.concat(parts);
      } else {
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? NaN);
        if (Number.isNaN(length) || raw.length < length) return false;
        body = raw.subarray(0, length);
      }
      clearTimeout(guard);
      socket.destroy();
      resolve({ status: Number(headers.slice(9, 12)), headers, body: body.toString("utf8") });
      return true;
    };
    socket.on("data", (d) => {
      received = Buffer.concat([received, d]);
      finish();
    });
    socket.on("error", () => {
      /* the server may close its side once it has answered */
    });
    socket.on("close", () => {
      if (!finish()) {
        clearTimeout(guard);
        reject(new Error(`connection closed without a complete answer: ${received.toString("latin1").slice(0, 200)}`));
      }
    });
    socket.on("connect", () => {
      socket.write(head);
      for (const chunk of sent) socket.write(chunk);
    });
  });
}

const headOf = (path: string, extra: string[], method = "POST") =>
  [
    `${method} ${path} HTTP/1.1`,
    `Host: ${new URL(app.origin).host}`,
    `Origin: ${app.origin}`,
    "Content-Type: application/json",
    ...extra,
    "",
    "",
  ].join("\r\n");

const TWENTY_MB = 20 * 1024 * 1024;

describe("bodies larger than any route accepts", () => {
  for (const [method, path, extra] of [
    ["POST", "/api/auth/telegram", []],
    ["POST", "/api/auth/telegram/webapp", []],
    ["PUT", "/api/me/consents", []],
    ["POST", "/api/telegram/webhook", [`X-Telegram-Bot-Api-Secret-Token: ${WEBHOOK_SECRET}`]],
  ] as const) {
    it(`${method} ${path}: a declared 20 MB body is answered 413 before it is sent`, async () => {
      const answer = await partialRequest(headOf(path, [...extra, `Content-Length: ${TWENTY_MB}`], method), [
        Buffer.alloc(64 * 1024, 0x20),
      ]);
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/larger than/) });
      refused += 1;
    });
  }

  it("a page or server action sent such a body answers before it is sent, with a CSP that runs no script", async () => {
    for (const extra of [[], ["Next-Action: 0000000000000000000000000000000000000000"]]) {
      const answer = await partialRequest(headOf("/consent", [...extra, `Content-Length: ${TWENTY_MB}`]), [
        Buffer.alloc(64 * 1024, 0x20),
      ]);
      // The page's own answer (a redirect for a visitor without a pending sign-in) or Next's refusal of
      // the action; never a 5xx, and never after the whole body.
      expect(answer.status).toBeLessThan(500);
      expect(answer.headers).toMatch(/\r\ncontent-security-policy: default-src 'none'/i);
      expect(answer.headers, answer.headers).toMatch(/\r\ncache-control: [^\r]*no-store/i);
    }
  });

  it("a chunked body without Content-Length is cut off once it is too large, before it ends", async () => {
    const chunk = Buffer.alloc(32 * 1024, 0x20);
    const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
    const answer = await partialRequest(
      headOf("/api/auth/telegram", ["Transfer-Encoding: chunked"]),
      Array.from({ length: 8 }, () => framed),
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/larger than/) });
    refused += 1;
  });

  it("a 20 MB body sent in full is refused without being buffered (no 'Request body exceeded' warning)", async () => {
    const answer = await partialRequest(headOf("/api/auth/telegram", [`Content-Length: ${TWENTY_MB}`]), [
      Buffer.alloc(TWENTY_MB, 0x20),
    ]);
    expect(answer.status).toBe(413);
    refused += 1;
    // Next prints this when its proxy has cloned a body past its buffer limit.
    expect(readFileSync(app.logFile, "utf8")).not.toMatch(/Request body exceeded/);
  });
});

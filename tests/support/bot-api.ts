// A stand-in Bot API on loopback: answers like api.telegram.org and records every call the app makes.
import { createServer, type Server } from "node:http";

export type BotCall = { method: string; body: Record<string, unknown> };
export type TestBotApi = { base: string; calls: BotCall[]; close: () => Promise<void> };

export async function startTestBotApi(botToken: string): Promise<TestBotApi> {
  const calls: BotCall[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? "");
    res.setHeader("content-type", "application/json");
    if (!match || match[1] !== botToken) {
      res.statusCode = 401;
      return res.end(JSON.stringify({ ok: false, error_code: 401, description: "Unauthorized" }));
    }
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    } catch {
      /* recorded as empty */
    }
    calls.push({ method: match[2]!, body });
    res.end(
      JSON.stringify({
        ok: true,
        result:
          match[2] === "sendMessage"
            ? { message_id: calls.length, date: Math.floor(Date.now() / 1000), chat: { id: body.chat_id } }
            : true,
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { base, calls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

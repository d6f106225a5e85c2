// Helpers for route handlers: the contract's error shape, origin checks for state-changing
// requests, bounded body reading, and a last-resort catch that never shows internals.
import { randomUUID } from "node:crypto";
import { headers } from "next/headers";
import { NextResponse } from "next/server";
import { env } from "../core/env";
import { ERROR_STATUS, errorMessage, type ErrorCode, type ErrorValues } from "./errors";
import { log, securityEvent } from "../core/log";
import { RateLimitedError } from "../data/rate-limit";

export const NO_STORE = { "Cache-Control": "no-store, max-age=0", Pragma: "no-cache" } as const;

/** Logout and erasure: the browser drops this origin's cookies and storage (and, after erasure, its cache). */
export const LOGGED_OUT_HEADERS = { "Clear-Site-Data": '"cookies", "storage"' } as const;
export const ERASED_HEADERS = { "Clear-Site-Data": '"cookies", "storage", "cache"' } as const;

export function jsonError(status: number, error: string, headers: Record<string, string> = {}): NextResponse {
  return NextResponse.json({ error }, { status, headers: { ...NO_STORE, ...headers } });
}

export function json(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): NextResponse {
  return NextResponse.json(body, { status: init.status ?? 200, headers: { ...NO_STORE, ...init.headers } });
}

/** proxy.ts puts a checked request id on every request; a caller-supplied one passes only if well formed. */
export function requestIdFrom(h: Headers): string {
  const given = h.get("x-request-id");
  return given && /^[A-Za-z0-9-]{8,64}$/.test(given) ? given : randomUUID();
}

export function requestIdOf(req: Request): string {
  return requestIdFrom(req.headers);
}

/** For server actions and pages, which see the request only through next/headers. */
export async function currentRequestId(): Promise<string> {
  return requestIdFrom(await headers());
}

/** The contract's 429: the error shape, Retry-After, and a security event (no key, no address). */
/** A refusal from the error catalogue (lib/web/errors.ts): its status and its English sentence. */
export function apiError(code: ErrorCode, values?: ErrorValues, headers: Record<string, string> = {}): NextResponse {
  return jsonError(ERROR_STATUS[code], errorMessage(code, values), headers);
}

export function tooManyRequests(e: RateLimitedError, requestId: string): NextResponse {
  securityEvent("rate_limited", requestId, { limit: e.limit });
  return apiError("tooManyRequests", { seconds: e.retryAfterSeconds }, { "Retry-After": String(e.retryAfterSeconds) });
}

/**
 * A state-changing request must come from the app's own origin: the Origin header when the browser
 * sends one, else Sec-Fetch-Site. A request with neither is refused (scripts can send Origin).
 */
export function isSameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  // "null" is what privacy-preserving browsers send for some same-page posts: fall back to Fetch Metadata.
  if (origin !== null && origin !== "null") return origin === env().appOrigin;
  return req.headers.get("sec-fetch-site") === "same-origin";
}

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 408 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How long a body may take to arrive, in all. Every body a route accepts is a few kilobytes; one that
 * declares more bytes than it sends (or trickles them) is dropped with a 408 rather than holding the
 * request open until the server's own request timeout (five minutes in Node).
 */
export const BODY_READ_TIMEOUT_MS = 10_000;

/** Reads a JSON object body of at most maxBytes; anything else is a BodyError with a clear message. */
export async function readJsonObject(req: Request, maxBytes = 8192): Promise<Record<string, unknown>> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type))
    throw new BodyError(415, "Send the body as JSON (Content-Type: application/json).");
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new BodyError(413, `The body is larger than ${maxBytes} bytes.`);
  const reader = req.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    const deadline = Date.now() + BODY_READ_TIMEOUT_MS;
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((res) => (timer = setTimeout(() => res("late"), deadline - Date.now())));
      const next = await Promise.race([reader.read(), late]).finally(() => clearTimeout(timer));
      if (next === "late") {
        // Not awaited: the cancel of a body that is still arriving waits for it.
        void reader.cancel().catch(() => {});
        throw new BodyError(408, `The body did not arrive within ${BODY_READ_TIMEOUT_MS / 1000} seconds.`);
      }
      const { done, value } = next;
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new BodyError(413, `The body is larger than ${maxBytes} bytes.`);
      }
      chunks.push(value);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BodyError(400, "The body is not valid JSON.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw new BodyError(400, "The body must be a JSON object.");
  return parsed as Record<string, unknown>;
}

type Handler = (req: Request, ctx: { requestId: string }) => Promise<Response>;

/** Wraps a handler: origin check for unsafe methods, body errors as 4xx, bugs as a plain 500. */
export function route(handler: Handler, opts: { checkOrigin?: boolean } = {}): (req: Request) => Promise<Response> {
  return async (req) => {
    const requestId = requestIdOf(req);
    const unsafe = !["GET", "HEAD", "OPTIONS"].includes(req.method);
    if ((opts.checkOrigin ?? unsafe) && !isSameOrigin(req)) {
      securityEvent("auth.cross_origin_refused", requestId, { path: new URL(req.url).pathname });
      return apiError("crossOrigin");
    }
    try {
      return await handler(req, { requestId });
    } catch (e) {
      if (e instanceof BodyError) return jsonError(e.status, e.message);
      if (e instanceof RateLimitedError) return tooManyRequests(e, requestId);
      // Rethrow Next's own control flow (redirect, notFound) untouched.
      if (
        e &&
        typeof e === "object" &&
        "digest" in e &&
        typeof (e as { digest: unknown }).digest === "string" &&
        /^NEXT_/.test((e as { digest: string }).digest)
      )
        throw e;
      // Name and code only: messages of database errors can quote the values of a query.
      log().error(
        { requestId, error: { kind: (e as Error)?.name, dbCode: String((e as { code?: unknown })?.code ?? "") } },
        "unhandled error",
      );
      return apiError("serverError", { reference: requestId });
    }
  };
}

import "server-only";
// The one wrapper for server actions. A server action is a public POST endpoint, so each one needs
// the same rituals; they are here once instead of in every action:
// 1. the caller: "user" (requireUser: the signed-out are sent to the start page), "admin"
//    (requireAdmin: 403 for everyone else, recorded) or "anyone" (the consent page: a pending first
//    sign-in has no session yet; its use case checks it);
// 2. parsing: `input` turns the action's arguments (bound values, the form) into what the body needs;
// 3. rate limits: a RateLimitedError thrown by the body becomes the form message `tooMany` names (a
//    message key with {seconds}), and a "rate_limited" security event, as a route handler's 429 does;
// 4. the request id, for the body's own security events.
// Bugs are thrown on, to app/error.tsx; Next's redirect and forbidden pass through untouched.
import { getTranslations } from "next-intl/server";
import type { ActionResult } from "./action-result";
import type { SessionUser } from "../data/sessions";
import { currentRequestId } from "./http";
import { securityEvent } from "../core/log";
import { RateLimitedError } from "../data/rate-limit";
import { requireAdmin, requireUser } from "./session";

type Caller = "user" | "admin" | "anyone";

export type ActionContext<C extends Caller> = {
  user: C extends "anyone" ? null : SessionUser;
  requestId: string;
};

export type ActionSpec<C extends Caller, Args extends unknown[], Input> = {
  caller: C;
  /** Reads the action's arguments (bound values first, then the previous state and the form). */
  input: (...args: Args) => Input;
  /** The message key (with {seconds}) shown when a rate limit refuses, e.g. "settings.actions.tooManyChanges". */
  tooMany?: string;
};

/** What an action answers: a result for useActionState, or nothing for a plain form that redirects. */
type Answer = Pick<ActionResult, "ok" | "message"> | void;

export function serverAction<C extends Caller, Args extends unknown[], Input, R extends Answer>(
  spec: ActionSpec<C, Args, Input>,
  body: (ctx: ActionContext<C>, input: Input) => Promise<R>,
): (...args: Args) => Promise<R> {
  return async (...args) => {
    const user =
      spec.caller === "user" ? await requireUser() : spec.caller === "admin" ? await requireAdmin("action") : null;
    const requestId = await currentRequestId();
    const input = spec.input(...args);
    try {
      return await body({ user, requestId } as ActionContext<C>, input);
    } catch (e) {
      if (!(e instanceof RateLimitedError) || !spec.tooMany) throw e;
      securityEvent("rate_limited", requestId, { limit: e.limit, channel: "action" });
      const t = await getTranslations();
      // An action that names `tooMany` answers results (ActionResult), and this is one of its failures.
      return { ok: false, message: t(spec.tooMany, { seconds: e.retryAfterSeconds }) } as R;
    }
  };
}

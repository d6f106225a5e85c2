// The memory fix (abort-reasons.ts) changes nothing an abort listener sees: the caller's reason as it
// was, the AbortError Node gives a reason-less abort, one abort only. What it fixes is in
// tests/memory.test.ts, against the running server.
import { describe, expect, it } from "vitest";
import { releaseAbortReasonStacks } from "./abort-reasons";

describe("releaseAbortReasonStacks", () => {
  releaseAbortReasonStacks();
  releaseAbortReasonStacks();

  it("passes the caller's reason through as it was", () => {
    const controller = new AbortController();
    const reason = new Error("done");
    let seen: unknown;
    controller.signal.addEventListener("abort", () => (seen = controller.signal.reason));
    controller.abort(reason);
    expect(seen).toBe(reason);
    expect(reason.stack).toMatch(/^Error: done/);
  });

  it("gives a reason-less abort the AbortError Node would", () => {
    const controller = new AbortController();
    controller.abort();
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toBeInstanceOf(DOMException);
    expect((controller.signal.reason as DOMException).name).toBe("AbortError");
    expect(() => controller.signal.throwIfAborted()).toThrow("This operation was aborted");
  });

  it("keeps a reason that is not an error, and aborts only once", () => {
    const controller = new AbortController();
    let events = 0;
    controller.signal.addEventListener("abort", () => events++);
    controller.abort("left");
    controller.abort("again");
    expect(controller.signal.reason).toBe("left");
    expect(events).toBe(1);
  });
});

/**
 * Every abort reason's stack becomes a string the moment the abort happens, in this server process.
 *
 * Why: React's server renderer (bundled inside Next.js, so not something a dependency bump reaches)
 * ends every completed render with `cacheController.abort(new Error("This render completed
 * successfully…"))`, from inside a setImmediate callback. V8 keeps an Error's stack as call-site
 * objects until `.stack` is first read, and nothing reads this one; those call sites hold the
 * Immediate the abort ran on, each Immediate holds the AsyncLocalStorage store of the request it was
 * scheduled for and its stale links to the Immediates queued after it. A keep-alive connection (a
 * browser, a reverse proxy's upstream pool) keeps the first of them reachable, and so every request
 * rendered after it: measured here about 100 KB of heap per page view that never came back, the heap
 * growing past 650 MB in a few minutes and each full collection stalling the server for hundreds of
 * milliseconds (docs/measurements/pages-cost-log.md, 7 December; tests/memory.test.ts).
 *
 * Reading `.stack` turns the call sites into a string and lets them go. A reason-less `abort()` gets
 * the same DOMException Node would create, so what a listener sees does not change.
 */
const patched = Symbol.for("consent-login.abort-reasons");

export function releaseAbortReasonStacks(): void {
  const proto = AbortController.prototype as AbortController & { [patched]?: true };
  if (proto[patched]) return;
  const abort = proto.abort;
  proto.abort = function (this: AbortController, reason?: unknown) {
    const why = reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
    if (why instanceof Error || why instanceof DOMException) void why.stack;
    return abort.call(this, why);
  };
  proto[patched] = true;
}

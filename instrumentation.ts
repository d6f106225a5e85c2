// Runs once when a server instance starts: stop finished renders from being kept alive, fail fast on
// bad configuration, apply migrations, and schedule the retention purge.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { releaseAbortReasonStacks } = await import("./lib/core/abort-reasons");
  releaseAbortReasonStacks();
  const { startServer } = await import("./lib/use-cases/startup");
  await startServer();
}

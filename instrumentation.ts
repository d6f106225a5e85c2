// Runs once when a server instance starts: fail fast on bad configuration, apply migrations, and
// schedule the retention purge.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./lib/use-cases/startup");
  await startServer();
}

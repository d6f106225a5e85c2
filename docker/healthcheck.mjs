// The image's HEALTHCHECK: healthy while /api/health answers 200 (the database answers too). The
// slim image has no curl; Node's fetch does the same.
const port = process.env.PORT || "3000";
try {
  const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(4000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}

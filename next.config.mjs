import createNextIntlPlugin from "next-intl/plugin";

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Without this, Next strips the router-state headers before proxy.ts runs, so proxy.ts could not
  // refuse a malformed Next-Router-State-Tree, which Next itself answers with a 500. proxy.ts reads
  // neither the URL's internal parameters nor data routes, so it needs no normalized URL.
  skipProxyUrlNormalize: true,
  reactStrictMode: true,
  // The container build (Dockerfile) sets NEXT_OUTPUT=standalone: a server.js with only the files it
  // traces. Not by default, because `next start` (npm start, the tests) warns on a standalone build.
  ...(process.env.NEXT_OUTPUT === "standalone" && { output: "standalone" }),
  experimental: {
    // forbidden() for the admin segment.
    authInterrupts: true,
    // What Next may buffer of a body it clones for proxy.ts. Larger bodies never reach the proxy (its
    // matcher), so this is never exceeded; it is set so that nothing near Next's default 10 MB is kept.
    proxyClientMaxBodySize: 100_000,
    // Server actions are small forms; Next reads at most this much of one before its 413.
    serverActions: { bodySizeLimit: "64kb" },
  },
  serverExternalPackages: ["better-sqlite3", "pg", "pino", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg"],
  async headers() {
    // Headers that do not depend on the request; the CSP (with its nonce) is set in proxy.ts.
    return [
      {
        // Build assets are never documents, but a 404 among them is; nothing there may run or frame.
        source: "/_next/static/:path*",
        headers: [
          {
            key: "Content-Security-Policy",
            value: "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          },
        ],
      },
      // Requests that bypass proxy.ts for their body size (see its matcher) get no nonce and so may run
      // no script at all; nothing they are answered with may be stored.
      ...[
        { source: "/:path*", condition: { type: "header", key: "content-length", value: "[0-9]{6,}" } },
        { source: "/api/:path*", condition: { type: "header", key: "content-length", value: "[0-9]{4,}" } },
        { source: "/:path*", condition: { type: "header", key: "transfer-encoding" } },
      ].map(({ source, condition }) => ({
        source,
        has: [condition],
        headers: [
          {
            key: "Content-Security-Policy",
            value: "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          },
          { key: "Cache-Control", value: "no-store, max-age=0" },
        ],
      })),
      {
        source: "/:path*",
        headers: [
          { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts,
          // which the origin check must refuse. Cross-origin requests still get no referrer.
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin-allow-popups" },
          { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
          {
            key: "Permissions-Policy",
            // Only features Chromium recognises: an unknown one (interest-cohort, FLoC's, long gone)
            // draws an "Unrecognized feature" warning in the console of every page.
            value:
              "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=()",
          },
        ],
      },
      {
        // robots.txt keeps crawlers to the start page; this keeps a personal or admin page out of an
        // index even when a crawler reaches it through a link.
        source: "/:section(consent|settings|admin|api)/:path*",
        headers: [{ key: "X-Robots-Tag", value: "noindex, nofollow" }],
      },
    ];
  },
};

// next-intl finds its per-request configuration in i18n/request.ts. The message files are compiled
// when the app is built (ICU syntax to next-intl's compact form), so a render formats messages
// without parsing them: parsing every message a page uses, again on every request, was the largest
// part of next-intl's cost on the settings page (issue 26). Tests and scripts that import the JSON
// outside the build still read the plain strings, which next-intl formats the usual way.
export default createNextIntlPlugin({
  experimental: { messages: { path: "./messages", format: "json", locales: "infer", precompile: true } },
})(nextConfig);

# The app's image: Next's standalone server on Node 20, run as the unprivileged user "node".
#   build:    docker build -t consent-login .
#   migrate:  docker run --rm --env-file .env -v consent-data:/app/data consent-login migrate
#   serve:    docker run -d --env-file .env -v consent-data:/app/data -p 127.0.0.1:3000:3000 consent-login
# (The volume holds the SQLite database; with DATABASE_URL=postgresql://… it holds nothing yet.)
# No secret is read at build time: every one comes from the environment of the running container.

ARG NODE_IMAGE=node:20-bookworm-slim

# ── Dependencies, with the tools to compile better-sqlite3 where its prebuilt binary cannot be
# downloaded (the official image carries Node's headers under /usr/local/include). Its own layer, so
# that a change of the source alone rebuilds nothing here.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local NEXT_TELEMETRY_DISABLED=1 PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
# The postinstall step applies patches/ to the installed packages, then generates the Prisma
# clients from the models and the two configs.
COPY package.json package-lock.json ./
COPY patches/ patches/
COPY scripts/prisma-schemas.mjs scripts/
COPY prisma/models.prisma prisma/sqlite.config.ts prisma/postgres.config.ts prisma/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

# ── Build: the standalone server, and the migrator bundled into one file that needs only the
# database drivers the server carries (no tsx, no dev dependencies at run time).
# The banner gives the ES module bundle a require(): CommonJS packages it carries (pino, through the
# migrator's log of each migration) load Node's built-ins with it.
FROM deps AS build
COPY . .
RUN NEXT_OUTPUT=standalone npx next build \
 && npx esbuild scripts/db-migrate.ts --bundle --platform=node --format=esm --target=node20 \
      --conditions=react-server --external:better-sqlite3 --external:pg \
      "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" \
      --outfile=.next/standalone/migrate.mjs --log-level=warning
# What the trace copies whole but nothing here loads (about 60 MB): Prisma's query engines of the old
# library engine and its compilers for the databases the app does not speak, and sharp, which only
# next/image would use (the app has none). The container tests run both databases on what is left.
RUN cd .next/standalone/node_modules \
 && rm -rf @img sharp \
 && find @prisma/client/runtime \( -name 'query_engine_bg.*' -o -name '*.mysql.*' -o -name '*.sqlserver.*' \
      -o -name '*.cockroachdb.*' -o -name '*.d.ts' -o -name '*.d.mts' \) -delete

# ── Run: only the traced server files, the migrations and the entrypoint.
FROM ${NODE_IMAGE} AS run
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 HOSTNAME=0.0.0.0 \
    DATABASE_URL=file:/app/data/app.db DATA_DIR=/app/data
COPY --from=build --chown=root:root /app/.next/standalone ./
COPY --from=build --chown=root:root /app/.next/static ./.next/static
COPY --from=build --chown=root:root /app/public ./public
COPY --chown=root:root prisma/migrations ./prisma/migrations
COPY --chown=root:root docker/entrypoint.sh docker/healthcheck.mjs /usr/local/bin/
# The code belongs to root and cannot be changed by the app; only the data folder and Next's cache
# are the app's to write (both also work on a read-only root filesystem with volumes or tmpfs there).
RUN mkdir -p /app/data /app/.next/cache && chown node:node /app/data /app/.next/cache
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/usr/local/bin/healthcheck.mjs"]
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
CMD ["serve"]

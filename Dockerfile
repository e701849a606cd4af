# syntax=docker/dockerfile:1
#
# Fieldbook: the auth proxy (Express) serving the built PWA, in front of CouchDB.
# The container first bootstraps CouchDB (scripts/start.ts --bootstrap-only: system and
# per-user databases, security, design docs; idempotent), then replaces itself with the
# proxy alone, compiled JavaScript (dist/proxy/main.js, built by `npm run build`): no tsx,
# no TypeScript compiler, no bootstrap code in the long-running process.
#
#   docker build -t fieldbook .
#   docker run -e COUCH_URL=http://admin:secret@couchdb:5984 -p 8080:8080 fieldbook
#
# Env: COUCH_URL (CouchDB URL carrying the admin's credentials; without it start.ts would
# start the embedded PouchDB Server instead), PORT (8080), HOST (0.0.0.0: the container's
# interfaces; only here, never on a bare host), FIELDBOOK_SECURE_COOKIES (true behind HTTPS),
# FIELDBOOK_SESSION_DAYS (30), FIELDBOOK_PROXY_WORKERS (1: proxy processes on the port,
# node:cluster workers sharing one CouchDB; README "Scale out").

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: all dependencies, then the Angular PWA --------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NG_CLI_ANALYTICS=false CI=true
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime dependencies only ------------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# (`typescript` is a run-time dependency: the bootstrap transpiles validate_doc_update.)
RUN npm ci --omit=dev --no-audit --no-fund

# --- runtime ------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
WORKDIR /app
# FIELDBOOK_STATIC_DIR: serve the PWA built above. (Without it scripts/start.ts checks the
# app sources for changes and rebuilds with the Angular CLI, neither of which is in here.)
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 FIELDBOOK_STATIC_DIR=/app/dist/fieldbook/browser
COPY --from=prod-deps /app/node_modules ./node_modules
# Sources for the bootstrap only, run through tsx; couch/ is also read as text at run time
# (design doc functions, which the bootstrap transpiles with TypeScript). The proxy is dist/proxy.
COPY package.json tsconfig.json tsconfig.node.json ./
COPY domain ./domain
COPY couch ./couch
COPY proxy ./proxy
COPY scripts ./scripts
COPY --from=build /app/dist ./dist
# Fail the image build, not the first start, if a run-time import needs a devDependency.
# (These are the modules scripts/start.ts imports, loaded without running it.)
# The compiled proxy, run without COUCH_URL, loads all of itself and then asks for it.
RUN node --import tsx -e "for (const m of ['./couch/bootstrap', './couch/couch-admin', './couch/embedded-couch', './couch/users', './couch/design/fieldbook-design-doc', './scripts/proxy-child']) require(m)" \
 && (node dist/proxy/main.js 2>&1 || true) | grep -q 'COUCH_URL (with admin credentials) is required'
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The bootstrap (`node --import tsx`, not `npx tsx`), then `exec`: the proxy is the one
# long-running process and gets the stop signal itself (compose runs it under an init with
# `init: true`); SIGTERM drains it (FIELDBOOK_DRAIN_MS).
CMD ["sh", "-c", "node --import tsx scripts/start.ts --bootstrap-only && exec node dist/proxy/main.js"]

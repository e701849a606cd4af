# syntax=docker/dockerfile:1
#
# Fieldbook: the auth proxy (Express) serving the built PWA, in front of CouchDB.
# The container runs scripts/start.ts, which bootstraps CouchDB (system and per-user
# databases, security, design docs; idempotent) and then starts the proxy.
#
#   docker build -t fieldbook .
#   docker run -e COUCH_URL=http://admin:secret@couchdb:5984 -p 8080:8080 fieldbook
#
# Env: COUCH_URL (CouchDB URL carrying the admin's credentials; without it start.ts would
# start the embedded PouchDB Server instead), PORT (8080), HOST (0.0.0.0: the container's
# interfaces; only here, never on a bare host), FIELDBOOK_SECURE_COOKIES (true behind HTTPS),
# FIELDBOOK_SESSION_DAYS (30).

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
# Sources run through tsx; couch/ is also read as text at run time (design doc functions).
COPY package.json tsconfig.json tsconfig.node.json ./
COPY couch ./couch
COPY proxy ./proxy
COPY scripts ./scripts
COPY --from=build /app/dist ./dist
# Fail the image build, not the first start, if a run-time import needs a devDependency.
# (These are the modules scripts/start.ts imports, loaded without running it.)
RUN node --import tsx -e "for (const m of ['./couch/bootstrap', './couch/couch-admin', './couch/embedded-couch', './couch/users', './couch/design/fieldbook-design-doc', './proxy/server']) require(m)"
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `node --import tsx` rather than `npx tsx`: one process, which gets the stop signal itself
# (compose runs it under an init with `init: true`).
CMD ["node", "--import", "tsx", "scripts/start.ts"]

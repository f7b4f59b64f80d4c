# Escalation Desk in a container (Azure Container Apps, AKS, a server of your own): the same
# production bundle App Service runs (`npm run bundle`), on the official Node 20 image.
#
#   docker build -t escalation-desk .
#   docker run -p 3978:3978 --env-file .env -v escalation-desk-data:/app/data --stop-timeout 30 escalation-desk
#
# Settings come from the environment (README "Configuration"). The volume keeps the SQLite
# file; with PostgreSQL (DATABASE_URL=postgres://…) it is not needed and replicas may scale out.
# On SIGTERM the bot stops taking requests and lets those in flight finish for
# SHUTDOWN_GRACE_SECONDS (default 10): give the container longer than that to stop.

# --- build: dependencies (better-sqlite3 is compiled for this image's Node and glibc), then the bundle
FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY cards ./cards
COPY locales ./locales
COPY sandbox ./sandbox
COPY manifest ./manifest
RUN npm run bundle

# --- run: the unpacked bundle, read-only to the user the bot runs as; only data/ is writable
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3978
WORKDIR /app
COPY --from=build /src/bundle/app ./
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# Exec form: node is PID 1 and receives SIGTERM itself (no shell in between), with npm start's flags.
CMD ["node", "--max-semi-space-size=4", "dist/src/index.js"]

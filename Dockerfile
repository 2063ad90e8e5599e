# Octavo in a container: the compiled JavaScript on Node 24 (Alpine), run as the unprivileged
# `node` user, data in /data (SQLite) unless DATABASE_URL names a Postgres.
#   docker build -t octavo .
#   docker run -p 7400:7400 -v octavo-data:/data octavo
FROM node:24-alpine AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: better-sqlite3 ships prebuilt binaries, and `prepare` (the browser app's
# bundle) needs the sources, which come next.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-web.ts ./scripts/
COPY src ./src
RUN npm run build && npm run build:web && npm prune --omit=dev --no-audit --no-fund

FROM node:24-alpine
ENV NODE_ENV=production \
    OCTAVO_HOST=0.0.0.0 \
    PORT=7400 \
    OCTAVO_DATA=/data \
    OCTAVO_LOG_FORMAT=json \
    OCTAVO_DRAIN_DELAY_MS=2000
WORKDIR /app
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/dist-web ./dist-web
COPY package.json LICENSE README.md ./
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 7400
# Ready: storage reachable and migrated (GET /readyz); node's fetch, no extra tools in the image.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||7400)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/octavo.js"]
CMD ["serve"]

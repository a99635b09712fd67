# One image for the four Vigie services and the console; docker-compose.yml picks the entry point.
FROM node:20-bookworm-slim AS build
WORKDIR /vigie
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node_modules/.bin/tsc -p tsconfig.build.json

FROM node:20-bookworm-slim
WORKDIR /vigie
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.base.json ./
COPY tools/runtime ./tools/runtime
COPY --from=build /vigie/dist ./dist
# The console's browser modules, transpiled by its server at start.
COPY apps/console/src/web ./apps/console/src/web
ENV NODE_ENV=production HOST=0.0.0.0
USER node
ENTRYPOINT ["node", "-r", "./tools/runtime/register-dist-aliases.js"]

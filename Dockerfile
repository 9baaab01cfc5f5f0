# One image for the sandbox, the worker and the API; docker-compose.yml picks the
# entry file with `command`. TypeScript runs through tsx, as with `npm start`.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so that a code change does not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .

USER node
EXPOSE 3000 4010 9464
CMD ["node_modules/.bin/tsx", "api/main.ts"]

# billhound in one image:
#   docker run -d -p 8080:8080 -v billhound-data:/data -e PUID=1000 -e PGID=1000 ghcr.io/OWNER/billhound
# or `docker compose up -d` with compose.yaml.
# Every stage installs through tools/install-deps.sh, the script `make run` and CI use.

# 1. The SPA (Vite) -> frontend/dist/spa
FROM node:20-bookworm-slim AS ui
WORKDIR /src
COPY tools/install-deps.sh tools/
COPY frontend/package.json frontend/package-lock.json frontend/
RUN INSTALL_PARTS=frontend tools/install-deps.sh
COPY frontend/ frontend/
RUN cd frontend && npm run build

# 2. The binary, with the SPA embedded (pure Go: no cgo)
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=ui /src/frontend/dist/spa frontend/dist/spa
RUN CGO_ENABLED=0 go build -trimpath -o /out/billhound .

# 3. Runtime: Debian's Chromium, Node and the Playwright 1.52.0 driver
FROM debian:bookworm-slim
ENV BILLHOUND_PLAYWRIGHT_DRIVER=/opt/billhound/playwright-driver \
    BILLHOUND_DATA=/data \
    BILLHOUND_ADDR=:8080
COPY tools/install-deps.sh /opt/billhound/tools/
RUN apt-get update \
 && INSTALL_PARTS="system driver" /opt/billhound/tools/install-deps.sh \
 && rm -rf /var/lib/apt/lists/* /root/.npm
COPY --from=build /out/billhound /usr/local/bin/billhound
COPY tools/docker-entrypoint.sh /usr/local/bin/billhound-entrypoint
VOLUME /data
EXPOSE 8080
# The binary itself asks /healthz (the image has no curl); it reads BILLHOUND_ADDR for the port.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 CMD ["billhound", "health"]
# Runs billhound as PUID:PGID (default 1000:1000) and gives /data to that user first.
ENTRYPOINT ["billhound-entrypoint"]
CMD ["serve"]

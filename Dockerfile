# syntax=docker/dockerfile:1
#
# One image for every role: `web` (default), `worker`, `scheduler`,
# `migrate`, `seed`. schema.sql, the views and static files are embedded in
# the binary, so the runtime stage needs nothing from the source tree.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first: this layer is reused until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /portal .

FROM debian:bookworm-slim
# ca-certificates for smtps:// and TLS to managed databases; curl only for
# the container health check (GET /readyz); poppler-utils (pdftoppm,
# pdftotext) for the worker's PDF previews and text extraction; ffmpeg for
# `seed`'s demo video (app/seed/video.go).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl poppler-utils ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin portal \
 && install -d -o portal -g portal -m 0750 /files
COPY --from=build /portal /portal
USER portal:portal
EXPOSE 8080
ENTRYPOINT ["/portal"]
CMD ["web"]

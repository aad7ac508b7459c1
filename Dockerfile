# A small image of flagops: a static (musl) binary on distroless, for users who run containers.
#
#   docker build -t flagops .
#   docker run --rm -v "$PWD:/repo" -w /repo flagops check
#
# AWS credentials come in through the environment (AWS_* variables) as anywhere else.
FROM rust:1.95-alpine AS build
# C compilers for aws-lc-sys and the vendored libgit2.
RUN apk add --no-cache build-base cmake perl
WORKDIR /src
COPY . .
RUN cargo build --locked --release && cp target/release/flagops /flagops

# Static, with CA certificates (AppConfig is reached over TLS) and a non-root user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /flagops /usr/local/bin/flagops
ENTRYPOINT ["/usr/local/bin/flagops"]
CMD ["--help"]

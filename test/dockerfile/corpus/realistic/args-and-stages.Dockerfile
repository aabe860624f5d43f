ARG BASE_IMAGE=alpine:3.20
ARG VERSION

# base is the common runtime
FROM ${BASE_IMAGE} AS base
ARG VERSION
RUN echo "$VERSION" > /version

FROM base AS test
COPY --from=base /version /tested-version
RUN test -s /tested-version

FROM base AS release
LABEL version=$VERSION
COPY --from=0 /version /release-version

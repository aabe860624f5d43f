FROM alpine:3.20 AS fetch
RUN apk add --no-cache git openssh-client
RUN --mount=type=ssh,required=true \
    git clone git@example.com:org/private.git /src
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc,required \
    --mount=type=secret,id=token,env=API_TOKEN \
    ./fetch.sh
RUN --network=none --security=sandbox make -C /src test
RUN --mount=type=tmpfs,target=/tmp,size=512m ./bigtmp.sh
RUN --device=nvidia.com/gpu=all nvidia-smi
FROM alpine:3.20
COPY --from=fetch --link /src/out /out
COPY --exclude=*.md --exclude=tests/ --parents ./docs/**/ /docs/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /opt/
ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.14.0 /buildkit

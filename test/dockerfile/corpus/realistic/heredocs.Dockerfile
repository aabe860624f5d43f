# syntax=docker/dockerfile:1
FROM debian:bookworm-slim
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends ca-certificates curl
rm -rf /var/lib/apt/lists/*
EOF

COPY <<-"EOT" /etc/nginx/conf.d/default.conf
	server {
	    listen 80;
	    location / { return 200 "$host\n"; }
	}
	EOT

RUN <<PYTHON python3
import sys
print(sys.version)
PYTHON

COPY <<one <<two /etc/
first file
one
second file
two

RUN cat <<A > /a.txt && cat <<B > /b.txt
alpha
A
bravo
B

ONBUILD RUN <<EOF
echo triggered
EOF

FROM busybox
RUN ["sh", "-c", "echo \"quoted\" and \\backslash"]
CMD [ "echo", "unicode: \u00e9 \u2603" ]
ENTRYPOINT ['not', 'json']
RUN [ ]
SHELL ["/bin/sh", "-eu", "-c"]
VOLUME ["/a", "/b c"]
HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]
HEALTHCHECK NONE

FROM alpine
RUN echo one \
    two
LABEL a=b

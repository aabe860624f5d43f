FROM ubuntu:14.04
MAINTAINER Jane Doe <jane@example.com>
ENV DEBIAN_FRONTEND noninteractive
ENV HOME /root
RUN apt-get update && apt-get install -y \
	build-essential \
	# comments between continued lines are dropped
	git \

	curl
ADD http://example.com/archive.tar.gz /tmp/
ADD ["local file.txt", "/opt/local file.txt"]
VOLUME /data /logs
EXPOSE 80 443
ONBUILD ADD . /app/src
ONBUILD RUN cd /app/src && make
STOPSIGNAL SIGQUIT
CMD /usr/sbin/service start && tail -f /var/log/syslog

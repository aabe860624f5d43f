from alpine as Builder
run echo building
From alpine AS final
Copy --from=builder /etc/os-release /os-release
workdir /x
env a=1 b=2
label "quoted key"="quoted value"
arg x=1 y
expose 8080/tcp
user nobody

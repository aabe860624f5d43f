{
  "targets": [
    {
      "target_name": "gantry_sys",
      "sources": ["native/gantry_sys.c"],
      "cflags": ["-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"]
    }
  ]
}

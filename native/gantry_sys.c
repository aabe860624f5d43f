/*
 * gantry_sys: the few Linux system calls Node does not expose and that layer extraction and
 * diffing need: extended attributes on the link itself (l*xattr) and special files (mknod, mkfifo),
 * and mount(2)/umount2(2) for the snapshots' overlay mounts (a mount(8) process per container start
 * and per build step costs more than the system call itself).
 *
 * Calls are synchronous and small, except umount2 and writeThrough (promises, on the thread pool); errors are thrown as Error objects shaped like Node's
 * system errors (`code` = "ENOENT", `errno` = negative number, `syscall`, `path`), so callers can
 * use the same errno checks they use for node:fs.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#define PATH_BUF 4096
#define NAME_BUF 256

static const char *errno_name(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENOSPC: return "ENOSPC";
    case EROFS: return "EROFS";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOTSUP: return "ENOTSUP";
    case ENODATA: return "ENODATA";
    case ELOOP: return "ELOOP";
    case EDQUOT: return "EDQUOT";
    default: return "EUNKNOWN";
  }
}

/* A Node-style system error (code, errno, syscall, path), or NULL if it could not be made. */
static napi_value errno_error(napi_env env, int e, const char *syscall, const char *path) {
  char msg[PATH_BUF + 128];
  snprintf(msg, sizeof msg, "%s: %s, %s '%s'", errno_name(e), strerror(e), syscall, path ? path : "");
  napi_value message, err, v;
  if (napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message) != napi_ok) return NULL;
  if (napi_create_error(env, NULL, message, &err) != napi_ok) return NULL;
  if (napi_create_string_utf8(env, errno_name(e), NAPI_AUTO_LENGTH, &v) == napi_ok)
    napi_set_named_property(env, err, "code", v);
  if (napi_create_int32(env, -e, &v) == napi_ok) napi_set_named_property(env, err, "errno", v);
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &v) == napi_ok)
    napi_set_named_property(env, err, "syscall", v);
  if (path && napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &v) == napi_ok)
    napi_set_named_property(env, err, "path", v);
  return err;
}

/* Throws a Node-style system error; always returns NULL so callers can `return throw_errno(...)`. */
static napi_value throw_errno(napi_env env, int e, const char *syscall, const char *path) {
  napi_value err = errno_error(env, e, syscall, path);
  if (err != NULL) napi_throw(env, err);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
  return NULL;
}

/* Copies a JS string argument into buf; false (with a pending exception) when it is not a string or too long. */
static int get_string(napi_env env, napi_value v, char *buf, size_t cap, const char *what) {
  size_t len = 0;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
    char m[128];
    snprintf(m, sizeof m, "The \"%s\" argument must be a string", what);
    throw_type(env, m);
    return 0;
  }
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return 0;
  if (len + 1 > cap) {
    throw_errno(env, ENAMETOOLONG, what, NULL);
    return 0;
  }
  if (napi_get_value_string_utf8(env, v, buf, cap, &len) != napi_ok) return 0;
  if (strlen(buf) != len) { /* an embedded NUL would silently shorten the path */
    throw_type(env, "Strings must not contain null bytes");
    return 0;
  }
  return 1;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc < want) {
    throw_type(env, "Too few arguments");
    return 0;
  }
  return 1;
}

static int get_u32(napi_env env, napi_value v, uint32_t *out, const char *what) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) {
    char m[128];
    snprintf(m, sizeof m, "The \"%s\" argument must be a number", what);
    throw_type(env, m);
    return 0;
  }
  return napi_get_value_uint32(env, v, out) == napi_ok;
}

/* llistxattr(path) -> string[] */
static napi_value js_llistxattr(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  char path[PATH_BUF];
  if (!get_args(env, info, 1, argv) || !get_string(env, argv[0], path, sizeof path, "path")) return NULL;
  char *buf = NULL;
  ssize_t n;
  for (int attempt = 0; attempt < 8; attempt++) {
    n = llistxattr(path, NULL, 0);
    if (n < 0) return throw_errno(env, errno, "llistxattr", path);
    if (n == 0) break;
    char *nb = realloc(buf, (size_t)n);
    if (!nb) { free(buf); return throw_errno(env, ENOMEM, "llistxattr", path); }
    buf = nb;
    ssize_t m = llistxattr(path, buf, (size_t)n);
    if (m >= 0) { n = m; break; }
    if (errno != ERANGE) { int e = errno; free(buf); return throw_errno(env, e, "llistxattr", path); }
    /* the list grew between the two calls: ask for the size again */
  }
  if (napi_create_array(env, &result) != napi_ok) { free(buf); return NULL; }
  uint32_t idx = 0;
  for (ssize_t off = 0; off < n;) {
    size_t len = strnlen(buf + off, (size_t)(n - off));
    if (len > 0) {
      napi_value s;
      if (napi_create_string_utf8(env, buf + off, len, &s) != napi_ok ||
          napi_set_element(env, result, idx++, s) != napi_ok) { free(buf); return NULL; }
    }
    off += (ssize_t)len + 1;
  }
  free(buf);
  return result;
}

/* lgetxattr(path, name) -> Buffer | null (null when the attribute is absent) */
static napi_value js_lgetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[2], result;
  char path[PATH_BUF], name[NAME_BUF];
  if (!get_args(env, info, 2, argv) || !get_string(env, argv[0], path, sizeof path, "path") ||
      !get_string(env, argv[1], name, sizeof name, "name")) return NULL;
  for (int attempt = 0; attempt < 8; attempt++) {
    ssize_t n = lgetxattr(path, name, NULL, 0);
    if (n < 0) {
      if (errno == ENODATA) { napi_get_null(env, &result); return result; }
      return throw_errno(env, errno, "lgetxattr", path);
    }
    void *data;
    if (napi_create_buffer(env, (size_t)n, &data, &result) != napi_ok) return NULL;
    if (n == 0) return result;
    ssize_t m = lgetxattr(path, name, data, (size_t)n);
    if (m == n) return result;
    if (m >= 0) { /* shrank between calls: return an exact-size copy */
      napi_value copy;
      void *cd;
      if (napi_create_buffer_copy(env, (size_t)m, data, &cd, &copy) != napi_ok) return NULL;
      return copy;
    }
    if (errno != ERANGE) return throw_errno(env, errno, "lgetxattr", path);
  }
  return throw_errno(env, ERANGE, "lgetxattr", path);
}

/* lsetxattr(path, name, value: Buffer|Uint8Array) */
static napi_value js_lsetxattr(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char path[PATH_BUF], name[NAME_BUF];
  if (!get_args(env, info, 3, argv) || !get_string(env, argv[0], path, sizeof path, "path") ||
      !get_string(env, argv[1], name, sizeof name, "name")) return NULL;
  bool is_ta = false;
  if (napi_is_typedarray(env, argv[2], &is_ta) != napi_ok || !is_ta)
    return throw_type(env, "The \"value\" argument must be a Uint8Array");
  napi_typedarray_type tt;
  size_t length, offset;
  void *data;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[2], &tt, &length, &data, &ab, &offset) != napi_ok) return NULL;
  if (tt != napi_uint8_array) return throw_type(env, "The \"value\" argument must be a Uint8Array");
  if (lsetxattr(path, name, length ? data : "", length, 0) != 0) return throw_errno(env, errno, "lsetxattr", path);
  return NULL;
}

/* lremovexattr(path, name) */
static napi_value js_lremovexattr(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char path[PATH_BUF], name[NAME_BUF];
  if (!get_args(env, info, 2, argv) || !get_string(env, argv[0], path, sizeof path, "path") ||
      !get_string(env, argv[1], name, sizeof name, "name")) return NULL;
  if (lremovexattr(path, name) != 0) return throw_errno(env, errno, "lremovexattr", path);
  return NULL;
}

/* mknod(path, mode, major, minor): mode includes the file type bits (S_IFCHR, S_IFBLK, S_IFIFO). */
static napi_value js_mknod(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  char path[PATH_BUF];
  uint32_t mode, major_, minor_;
  if (!get_args(env, info, 4, argv) || !get_string(env, argv[0], path, sizeof path, "path") ||
      !get_u32(env, argv[1], &mode, "mode") || !get_u32(env, argv[2], &major_, "major") ||
      !get_u32(env, argv[3], &minor_, "minor")) return NULL;
  if (mknod(path, (mode_t)mode, makedev(major_, minor_)) != 0) return throw_errno(env, errno, "mknod", path);
  return NULL;
}

/* mkfifo(path, mode) */
static napi_value js_mkfifo(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char path[PATH_BUF];
  uint32_t mode;
  if (!get_args(env, info, 2, argv) || !get_string(env, argv[0], path, sizeof path, "path") ||
      !get_u32(env, argv[1], &mode, "mode")) return NULL;
  if (mkfifo(path, (mode_t)mode) != 0) return throw_errno(env, errno, "mkfifo", path);
  return NULL;
}

/* devNumbers(rdev) -> [major, minor]: glibc's encoding of dev_t, which node's stat gives as a number. */
static napi_value js_dev_numbers(napi_env env, napi_callback_info info) {
  napi_value argv[1], result, v;
  if (!get_args(env, info, 1, argv)) return NULL;
  double d;
  if (napi_get_value_double(env, argv[0], &d) != napi_ok) return throw_type(env, "The \"rdev\" argument must be a number");
  dev_t dev = (dev_t)d;
  if (napi_create_array_with_length(env, 2, &result) != napi_ok) return NULL;
  if (napi_create_uint32(env, major(dev), &v) != napi_ok || napi_set_element(env, result, 0, v) != napi_ok) return NULL;
  if (napi_create_uint32(env, minor(dev), &v) != napi_ok || napi_set_element(env, result, 1, v) != napi_ok) return NULL;
  return result;
}

/*
 * mount(source, target, fstype, flags, data): mount(2) as is. `data` (overlay's option string) may
 * be up to a page; relative paths in it resolve against the process's working directory, so callers
 * pass absolute ones.
 */
static napi_value js_mount(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  char source[PATH_BUF], target[PATH_BUF], fstype[NAME_BUF], data[PATH_BUF];
  uint32_t flags;
  if (!get_args(env, info, 5, argv) || !get_string(env, argv[0], source, sizeof source, "source") ||
      !get_string(env, argv[1], target, sizeof target, "target") ||
      !get_string(env, argv[2], fstype, sizeof fstype, "fstype") || !get_u32(env, argv[3], &flags, "flags") ||
      !get_string(env, argv[4], data, sizeof data, "data")) return NULL;
  if (mount(source, target, fstype[0] ? fstype : NULL, (unsigned long)flags, data[0] ? data : NULL) != 0)
    return throw_errno(env, errno, "mount", target);
  return NULL;
}

/*
 * What every call run on libuv's thread pool keeps (the first member of each job): its work, its
 * promise and its outcome, which async_job_complete turns into the resolution or a Node-shaped error.
 */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int err;
  const char *syscall;
  const char *path; /* named in the error, or NULL */
} async_job;

static void async_job_complete(napi_env env, napi_status status, void *data) {
  async_job *job = data;
  if (status == napi_ok && job->err == 0) {
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    napi_resolve_deferred(env, job->deferred, undefined);
  } else {
    napi_value err = errno_error(env, job->err ? job->err : EIO, job->syscall, job->path);
    if (err != NULL) napi_reject_deferred(env, job->deferred, err);
  }
  napi_delete_async_work(env, job->work);
  free(job);
}

/* Queues `job` (the caller's allocation, freed once complete) and returns its promise; NULL, with the job freed, on failure. */
static napi_value async_job_queue(napi_env env, async_job *job, const char *name, napi_async_execute_callback execute) {
  napi_value promise, resource;
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource) != napi_ok ||
      napi_create_async_work(env, NULL, resource, execute, async_job_complete, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    free(job);
    return NULL;
  }
  return promise;
}

/*
 * umount2(target, flags) -> Promise<void>, run on libuv's thread pool: unmounting a writable overlay
 * syncs the filesystem under it, which can take hundreds of milliseconds on a busy disk and must
 * not stop the event loop (other build stages, progress output) meanwhile.
 */
typedef struct {
  async_job base;
  char path[PATH_BUF];
  int flags;
} path_job;

static void path_job_execute(napi_env env, void *data) {
  (void)env;
  path_job *job = data;
  job->base.err = umount2(job->path, job->flags) == 0 ? 0 : errno;
}

static napi_value js_umount2(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  uint32_t flags = 0;
  path_job *job = calloc(1, sizeof *job);
  if (job == NULL) return throw_errno(env, ENOMEM, "umount2", NULL);
  if (!get_args(env, info, 2, argv) || !get_string(env, argv[0], job->path, sizeof job->path, "path") ||
      !get_u32(env, argv[1], &flags, "flags")) {
    free(job);
    return NULL;
  }
  job->flags = (int)flags;
  job->base.syscall = "umount2";
  job->base.path = job->path;
  return async_job_queue(env, &job->base, "gantry:umount2", path_job_execute);
}

/*
 * writeThrough(fd, offset, length) -> Promise: writes the file's dirty pages in [offset,
 * offset+length) to disk and waits (sync_file_range; length 0 means to the end), then drops them
 * from the page cache (POSIX_FADV_DONTNEED), on the thread pool. For large files written once and
 * not read back soon, as `dd oflag=nocache` does: their pages would otherwise push out cache
 * others use, and the next block of the file takes the pages just freed instead of new ones.
 * Not a durability barrier: metadata and the disk's cache need fsync.
 */
typedef struct {
  async_job base;
  int fd;
  int64_t offset;
  int64_t length;
} range_job;

static void range_job_execute(napi_env env, void *data) {
  (void)env;
  range_job *job = data;
  unsigned flags = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
  if (sync_file_range(job->fd, job->offset, job->length, flags) != 0) {
    job->base.err = errno;
    job->base.syscall = "sync_file_range";
    return;
  }
  int e = posix_fadvise(job->fd, job->offset, job->length, POSIX_FADV_DONTNEED);
  if (e != 0) {
    job->base.err = e;
    job->base.syscall = "posix_fadvise";
  }
}

static napi_value js_write_through(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  uint32_t fd;
  double offset, length;
  if (!get_args(env, info, 3, argv) || !get_u32(env, argv[0], &fd, "fd")) return NULL;
  if (napi_get_value_double(env, argv[1], &offset) != napi_ok || napi_get_value_double(env, argv[2], &length) != napi_ok ||
      offset < 0 || length < 0) return throw_type(env, "offset and length must be non-negative numbers");
  range_job *job = calloc(1, sizeof *job);
  if (job == NULL) return throw_errno(env, ENOMEM, "sync_file_range", NULL);
  job->fd = (int)fd;
  job->offset = (int64_t)offset;
  job->length = (int64_t)length;
  job->base.syscall = "sync_file_range";
  return async_job_queue(env, &job->base, "gantry:writeThrough", range_job_execute);
}

/*
 * lstatDir(dir) -> { names: string[], stats: Float64Array }: one directory's entries (without "."
 * and "..", in readdir order) and, 7 numbers per entry, what lstat gives: mode, uid, gid, size,
 * mtimeMs, ctimeMs, ino, with the times computed as node's fs.Stats computes them. One call per
 * directory instead of an fs.Stats object (and its Dates) per entry: a build context walk of
 * 20,000 files spends most of its time there. Entries that vanish between readdir and lstat are
 * left out.
 */
#define LSTAT_FIELDS 7
static napi_value js_lstat_dir(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char path[PATH_BUF];
  if (!get_args(env, info, 1, argv) || !get_string(env, argv[0], path, sizeof path, "path")) return NULL;
  DIR *d = opendir(path);
  if (d == NULL) return throw_errno(env, errno, "opendir", path);
  int dfd = dirfd(d);
  size_t cap = 64, n = 0;
  double *nums = malloc(cap * LSTAT_FIELDS * sizeof(double));
  napi_value names;
  if (nums == NULL || napi_create_array(env, &names) != napi_ok) {
    free(nums);
    closedir(d);
    return nums == NULL ? throw_errno(env, ENOMEM, "lstatDir", path) : NULL;
  }
  struct dirent *de;
  int err = 0;
  for (;;) {
    errno = 0;
    de = readdir(d);
    if (de == NULL) {
      err = errno;
      break;
    }
    const char *nm = de->d_name;
    if (nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0))) continue;
    struct stat st;
    if (fstatat(dfd, nm, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;
      err = errno;
      break;
    }
    if (n == cap) {
      double *more = realloc(nums, cap * 2 * LSTAT_FIELDS * sizeof(double));
      if (more == NULL) {
        err = ENOMEM;
        break;
      }
      nums = more;
      cap *= 2;
    }
    double *o = nums + n * LSTAT_FIELDS;
    o[0] = (double)st.st_mode;
    o[1] = (double)st.st_uid;
    o[2] = (double)st.st_gid;
    o[3] = (double)st.st_size;
    o[4] = (double)st.st_mtim.tv_sec * 1000.0 + (double)st.st_mtim.tv_nsec / 1000000.0;
    o[5] = (double)st.st_ctim.tv_sec * 1000.0 + (double)st.st_ctim.tv_nsec / 1000000.0;
    o[6] = (double)st.st_ino;
    napi_value v;
    if (napi_create_string_utf8(env, nm, NAPI_AUTO_LENGTH, &v) != napi_ok || napi_set_element(env, names, (uint32_t)n, v) != napi_ok) {
      free(nums);
      closedir(d);
      return NULL;
    }
    n++;
  }
  closedir(d);
  if (err != 0) {
    free(nums);
    return throw_errno(env, err, "lstatDir", path);
  }
  void *data;
  napi_value ab, ta, result;
  size_t bytes = n * LSTAT_FIELDS * sizeof(double);
  if (napi_create_arraybuffer(env, bytes, &data, &ab) != napi_ok) {
    free(nums);
    return NULL;
  }
  if (bytes > 0) memcpy(data, nums, bytes);
  free(nums);
  if (napi_create_typedarray(env, napi_float64_array, n * LSTAT_FIELDS, ab, 0, &ta) != napi_ok) return NULL;
  if (napi_create_object(env, &result) != napi_ok || napi_set_named_property(env, result, "names", names) != napi_ok ||
      napi_set_named_property(env, result, "stats", ta) != napi_ok) return NULL;
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"llistxattr", NULL, js_llistxattr, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lgetxattr", NULL, js_lgetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lsetxattr", NULL, js_lsetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lremovexattr", NULL, js_lremovexattr, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mknod", NULL, js_mknod, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mkfifo", NULL, js_mkfifo, NULL, NULL, NULL, napi_enumerable, NULL},
    {"devNumbers", NULL, js_dev_numbers, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mount", NULL, js_mount, NULL, NULL, NULL, napi_enumerable, NULL},
    {"umount2", NULL, js_umount2, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lstatDir", NULL, js_lstat_dir, NULL, NULL, NULL, napi_enumerable, NULL},
    {"writeThrough", NULL, js_write_through, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

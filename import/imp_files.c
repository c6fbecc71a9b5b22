/* imp_files.c - the source files of an import, read under a root: with
 * --root DIR an image's tree unpacked in DIR is read as if DIR were /, and
 * every path written into the services is the path inside the image. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imp.h"

char *imp_host_path(const struct imp *m, const char *image_path)
{
    return imp_xasprintf("%s%s", m->root, image_path);
}

/* Normalises an absolute path in place: no "//", "/./", and ".." takes a
 * component off (never past /). */
static void imp_normalise(char *p)
{
    char *out = p;
    const char *in = p;
    while (*in) {
        while (*in == '/')
            in++;
        const char *end = strchr(in, '/');
        size_t n = end ? (size_t)(end - in) : strlen(in);
        if (n == 0)
            break;
        if (n == 1 && in[0] == '.') {
            /* skip */
        } else if (n == 2 && in[0] == '.' && in[1] == '.') {
            while (out > p && *--out != '/')
                ;
        } else {
            *out++ = '/';
            memmove(out, in, n);
            out += n;
        }
        in += n;
    }
    if (out == p)
        *out++ = '/';
    *out = '\0';
}

char *imp_abs(const struct imp *m, const char *base, const char *path)
{
    char *r;
    if (path[0] == '/') {
        r = imp_xstrdup(path);
    } else if (base) {
        const char *slash = strrchr(base, '/');
        size_t n = slash ? (size_t)(slash - base) : 0;
        r = imp_xasprintf("%.*s/%s", (int)n, base, path);
    } else if (m->root[0]) {
        r = imp_xasprintf("/%s", path);
    } else {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
            strcpy(cwd, "/");
        r = imp_xasprintf("%s/%s", cwd, path);
    }
    imp_normalise(r);
    return r;
}

static void imp_add_source(struct imp *m, const char *image_path)
{
    for (size_t i = 0; i < m->n_sources; i++)
        if (strcmp(m->sources[i], image_path) == 0)
            return;
    m->sources = imp_xrealloc(m->sources, (m->n_sources + 2) * sizeof *m->sources);
    m->sources[m->n_sources++] = imp_xstrdup(image_path);
    m->sources[m->n_sources] = NULL;
}

char *imp_read(struct imp *m, const char *image_path, size_t *len)
{
    char *host = imp_host_path(m, image_path);
    int fd = open(host, O_RDONLY | O_CLOEXEC);
    free(host);
    if (fd < 0)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = imp_xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap >= IMP_FILE_MAX) {
                close(fd);
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            cap *= 2;
            buf = imp_xrealloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            free(buf);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    if (len)
        *len = n;
    imp_add_source(m, image_path);
    return buf;
}

static bool imp_stat_mode(const struct imp *m, const char *image_path, mode_t type)
{
    char *host = imp_host_path(m, image_path);
    struct stat st;
    bool ok = stat(host, &st) == 0 && (st.st_mode & S_IFMT) == type;
    free(host);
    return ok;
}

bool imp_is_file(const struct imp *m, const char *image_path)
{
    return imp_stat_mode(m, image_path, S_IFREG);
}

bool imp_is_dir(const struct imp *m, const char *image_path)
{
    return imp_stat_mode(m, image_path, S_IFDIR);
}

static int imp_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **imp_list_dir(const struct imp *m, const char *image_path, size_t *n)
{
    char *host = imp_host_path(m, image_path);
    DIR *d = opendir(host);
    free(host);
    if (!d)
        return NULL;
    size_t cnt = 0;
    char **v = imp_xcalloc(1, sizeof *v);
    struct dirent *e;
    while ((e = readdir(d)) && cnt < IMP_FILES_MAX) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        v = imp_xrealloc(v, (cnt + 2) * sizeof *v);
        v[cnt++] = imp_xstrdup(e->d_name);
    }
    closedir(d);
    v[cnt] = NULL;
    qsort(v, cnt, sizeof *v, imp_cmp_str);
    if (n)
        *n = cnt;
    return v;
}

/* Field i (0 the first) of a ':'-separated line, its length in *n; NULL
 * past the last. */
static const char *imp_db_field(const char *l, unsigned i, size_t *n)
{
    for (; i; i--) {
        l = strchr(l, ':');
        if (!l)
            return NULL;
        l++;
    }
    *n = strcspn(l, ":");
    return l;
}

/* Whether a field of n bytes is the number key (digits, leading zeros
 * taken as the C library's parser takes them). */
static bool imp_db_same_id(const char *f, size_t n, const char *key)
{
    if (!n || !*key || strspn(f, "0123456789") < n)
        return false;
    while (n > 1 && *f == '0')
        f++, n--;
    key += strspn(key, "0");
    if (!*key)
        key--;
    return strlen(key) == n && strncmp(f, key, n) == 0;
}

int imp_db_get(struct imp *m, const char *file, unsigned key_field, const char *key, unsigned field,
               char *buf, size_t size)
{
    char *text = imp_read(m, file, NULL);
    if (!text)
        return -1;
    int found = 0;
    for (char *l = text; l && *l && !found;) {
        char *end = strchr(l, '\n');
        if (end)
            *end = '\0';
        size_t kn = 0, fn = 0;
        const char *k = imp_db_field(l, key_field, &kn);
        const char *f = imp_db_field(l, field, &fn);
        bool match = k && (key_field == 0 ? strlen(key) == kn && strncmp(k, key, kn) == 0
                                          : imp_db_same_id(k, kn, key));
        if (match && f && fn && fn < size && strspn(f, "0123456789") >= fn) {
            memcpy(buf, f, fn);
            buf[fn] = '\0';
            found = 1;
        }
        l = end ? end + 1 : NULL;
    }
    free(text);
    return found;
}

/* conf_probe.c - readiness (when a service counts as ready) and health (when
 * a running service counts as broken): exactly one mechanism each, plus its
 * timing. Parsed and validated now, log regexes compiled now, so that an error
 * shows at load and never at the first probe. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf_parse.h"

struct conf_probe_parse {
    struct conf_probe *p;
    const char *mechanism; /* the key that set p->kind, for "got both" */
    bool health;
};

void conf_probe_defaults(struct conf_probe *p, bool health)
{
    memset(p, 0, sizeof *p);
    p->interval_ms = health ? 10000 : 1000;
    p->timeout_ms = health ? 2000 : 30000;
    p->retries = health ? 3 : 0;
}

void conf_probe_close(struct conf_probe *p)
{
    ynode_argv_free(p->argv);
    free(p->host);
    free(p->url);
    free(p->path);
    free(p->pattern);
    if (p->has_regex)
        regfree(&p->regex);
    memset(p, 0, sizeof *p);
}

/* Claims the probe for the mechanism named by the last part of path. */
static int conf_probe_claim(struct ynode_ctx *c, yaml_node_t *v, const char *path,
                            struct conf_probe_parse *pp, enum conf_probe_kind kind)
{
    const char *dot = strrchr(path, '.');
    const char *key = dot ? dot + 1 : path;
    if (pp->mechanism) {
        return ynode_error(c, v, "%.*s: expected exactly one of %s, got both %s and %s",
                           (int)(dot ? dot - path : 0), path,
                           pp->health ? "exec, tcp, http" : "notify, exec, tcp, http, log",
                           pp->mechanism, key);
    }
    pp->mechanism = strcmp(key, "notify") == 0 ? "notify"
                    : strcmp(key, "exec") == 0 ? "exec"
                    : strcmp(key, "tcp") == 0  ? "tcp"
                    : strcmp(key, "http") == 0 ? "http"
                                               : "log";
    pp->p->kind = kind;
    return 0;
}

static int conf_probe_notify(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    static const char *const names[] = {"fd", "systemd"};
    int which;
    int rc = ynode_enum(c, v, path, names, 2, &which);
    if (rc < 0)
        return rc;
    return conf_probe_claim(c, v, path, obj,
                            which == 0 ? CONF_PROBE_NOTIFY_FD : CONF_PROBE_NOTIFY_SYSTEMD);
}

static int conf_probe_exec(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_probe_parse *pp = obj;
    char **argv;
    size_t argc;
    int rc = ynode_argv(c, v, path, false, &argv, &argc);
    if (rc < 0)
        return rc;
    rc = conf_probe_claim(c, v, path, pp, CONF_PROBE_EXEC);
    if (rc < 0) {
        ynode_argv_free(argv);
        return rc;
    }
    pp->p->argv = argv;
    return 0;
}

/* Probes connect without name lookups (none may block corral's loop), so a
 * host must be an IP literal or localhost: a name is refused here, at load
 * time, rather than failing every attempt at run time. */
static bool conf_probe_host_ok(const char *host, size_t len)
{
    char buf[64];
    unsigned char addr[16];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, host, len);
    buf[len] = '\0';
    return strcmp(buf, "localhost") == 0 || inet_pton(AF_INET, buf, addr) == 1 ||
           inet_pton(AF_INET6, buf, addr) == 1;
}

static int conf_probe_refuse_host(struct ynode_ctx *c, yaml_node_t *v, const char *path,
                                  const char *value)
{
    char q[64];
    return ynode_error(c, v,
                       "%s: expected an IP address or localhost as the host (probes do no name "
                       "lookups), got %s",
                       path, ynode_quote(value, q, sizeof q));
}

static int conf_probe_tcp(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_probe_parse *pp = obj;
    char q[64];
    const char *s = ynode_scalar(c, v, path, "\"host:port\"");
    if (!s)
        return -EINVAL;
    const char *colon = strrchr(s, ':');
    const char *host = s, *host_end = colon;
    if (s[0] == '[') { /* [::1]:80 */
        host = s + 1;
        host_end = colon && colon > s && colon[-1] == ']' ? colon - 1 : NULL;
    }
    unsigned long port = 0;
    size_t pd = colon ? strspn(colon + 1, "0123456789") : 0;
    if (pd > 0 && pd <= 5 && !colon[1 + pd])
        port = strtoul(colon + 1, NULL, 10);
    if (!host_end || host_end == host || port < 1 || port > 65535 ||
        (s[0] != '[' && memchr(host, ':', (size_t)(host_end - host))))
        return ynode_error(
            c, v, "%s: expected \"host:port\" like \"127.0.0.1:5432\" or \"[::1]:80\", got %s",
            path, ynode_quote(s, q, sizeof q));
    if (!conf_probe_host_ok(host, (size_t)(host_end - host)))
        return conf_probe_refuse_host(c, v, path, s);
    int rc = conf_probe_claim(c, v, path, pp, CONF_PROBE_TCP);
    if (rc < 0)
        return rc;
    pp->p->host = strndup(host, (size_t)(host_end - host));
    pp->p->port = (uint16_t)port;
    return pp->p->host ? 0 : -ENOMEM;
}

/* An http probe's URL, parsed once here: the probe uses host, port and path
 * as they are (a URL that passes --check works at run time). */
static int conf_probe_http(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_probe_parse *pp = obj;
    char q[64];
    const char *s = ynode_scalar(c, v, path, "an http:// URL");
    if (!s)
        return -EINVAL;
    const char *h = s + 7, *h_end = NULL, *rest = NULL;
    if (strncmp(s, "http://", 7) == 0 && !strchr(s, ' ')) {
        h_end = h[0] == '[' ? strchr(h, ']') : h + strcspn(h, ":/");
        rest = h_end ? h_end + (h[0] == '[') : NULL;
        if (h[0] == '[')
            h++;
    }
    unsigned long port = 80;
    if (rest && *rest == ':') {
        size_t pd = strspn(rest + 1, "0123456789");
        port = pd > 0 && pd <= 5 ? strtoul(rest + 1, NULL, 10) : 0;
        rest += 1 + pd;
    }
    if (!h_end || h_end == h || port < 1 || port > 65535 || (*rest && *rest != '/'))
        return ynode_error(c, v,
                           "%s: expected an URL like \"http://127.0.0.1:8080/healthz\" (a port "
                           "from 1 to 65535), got %s",
                           path, ynode_quote(s, q, sizeof q));
    if (!conf_probe_host_ok(h, (size_t)(h_end - h)))
        return conf_probe_refuse_host(c, v, path, s);
    int rc = conf_probe_claim(c, v, path, pp, CONF_PROBE_HTTP);
    if (rc < 0)
        return rc;
    pp->p->url = strdup(s);
    pp->p->host = strndup(h, (size_t)(h_end - h));
    pp->p->port = (uint16_t)port;
    pp->p->path = strdup(*rest ? rest : "/");
    return pp->p->url && pp->p->host && pp->p->path ? 0 : -ENOMEM;
}

static int conf_probe_log(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    struct conf_probe_parse *pp = obj;
    char msg[128];
    regex_t re;
    const char *s = ynode_scalar(c, v, path, "a regular expression");
    if (!s)
        return -EINVAL;
    if (!*s)
        return ynode_error(c, v, "%s: expected a non-empty regular expression", path);
    int err = regcomp(&re, s, REG_EXTENDED | REG_NOSUB);
    if (err == REG_ESPACE)
        return -ENOMEM;
    if (err) {
        regerror(err, &re, msg, sizeof msg);
        return ynode_error(c, v, "%s: expected an extended regular expression: %s", path, msg);
    }
    int rc = conf_probe_claim(c, v, path, pp, CONF_PROBE_LOG);
    if (rc == 0)
        pp->p->pattern = strdup(s);
    if (rc < 0 || !pp->p->pattern) {
        regfree(&re);
        return rc < 0 ? rc : -ENOMEM;
    }
    pp->p->regex = re;
    pp->p->has_regex = true;
    return 0;
}

static int conf_probe_positive(struct ynode_ctx *c, yaml_node_t *v, const char *path, uint64_t *out)
{
    int rc = ynode_duration(c, v, path, out);
    if (rc == 0 && *out == 0)
        return ynode_error(c, v, "%s: expected a duration greater than 0", path);
    return rc;
}

static int conf_probe_interval(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    return conf_probe_positive(c, v, path, &((struct conf_probe_parse *)obj)->p->interval_ms);
}

static int conf_probe_timeout(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    return conf_probe_positive(c, v, path, &((struct conf_probe_parse *)obj)->p->timeout_ms);
}

static int conf_probe_retries(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    uint64_t n;
    int rc = ynode_uint(c, v, path, 1, 1000, &n);
    if (rc == 0)
        ((struct conf_probe_parse *)obj)->p->retries = (uint32_t)n;
    return rc;
}

static int conf_probe_start_period(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    return ynode_duration(c, v, path, &((struct conf_probe_parse *)obj)->p->start_period_ms);
}

static int conf_probe_parse(struct ynode_ctx *c, yaml_node_t *v, const char *path,
                            struct conf_probe *p, bool health)
{
    static const struct ynode_key readiness_keys[] = {
        {"notify", conf_probe_notify},   {"exec", conf_probe_exec},
        {"tcp", conf_probe_tcp},         {"http", conf_probe_http},
        {"log", conf_probe_log},         {"interval", conf_probe_interval},
        {"timeout", conf_probe_timeout}, {NULL, NULL},
    };
    static const struct ynode_key health_keys[] = {
        {"exec", conf_probe_exec},
        {"tcp", conf_probe_tcp},
        {"http", conf_probe_http},
        {"interval", conf_probe_interval},
        {"timeout", conf_probe_timeout},
        {"retries", conf_probe_retries},
        {"start_period", conf_probe_start_period},
        {NULL, NULL},
    };
    struct conf_probe_parse pp = {.p = p, .health = health};

    int rc = ynode_map(c, v, path, health ? health_keys : readiness_keys, &pp);
    if (rc < 0)
        return rc;
    if (p->kind == CONF_PROBE_NONE)
        return ynode_error(c, v, "%s: expected one of %s", path,
                           health ? "exec, tcp or http" : "notify, exec, tcp, http or log");
    return 0;
}

int conf_probe_readiness(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    ((struct conf_parse *)obj)->readiness = v;
    return conf_probe_parse(c, v, path, &((struct conf_parse *)obj)->s->readiness, false);
}

int conf_probe_health(struct ynode_ctx *c, yaml_node_t *v, const char *path, void *obj)
{
    ((struct conf_parse *)obj)->health = v;
    return conf_probe_parse(c, v, path, &((struct conf_parse *)obj)->s->health, true);
}

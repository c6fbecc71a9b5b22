/* fuzz_import.c - libFuzzer target over corral import's readers: each
 * input is imported as a supervisord.conf, a Procfile and a compose file
 * (written to a file under a temporary root, as --root reads it), and read
 * as a run script; every file the import would write is rendered, and
 * everything is freed. Crashes, leaks and UB are the findings. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imp.h"
#include "imp_script.h"
#include "imp_write.h"
#include "import.h"

static char fuzz_root[64];

/* The temporary root goes when the fuzzer exits. */
static void fuzz_cleanup(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/in", fuzz_root);
    unlink(path);
    rmdir(fuzz_root);
}

static void fuzz_import(const char *format)
{
    struct imp m;
    imp_init(&m, format, fuzz_root);
    char *src = "/in";
    if (import_run(&m, format, &src, 1) == 0) {
        struct imp_file *files;
        size_t n;
        imp_outputs(&m, &files, &n);
        imp_files_free(files, n);
    }
    imp_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz_root[0]) {
        snprintf(fuzz_root, sizeof fuzz_root, "/tmp/corral-fuzz-import-XXXXXX");
        if (!mkdtemp(fuzz_root))
            abort();
        atexit(fuzz_cleanup);
    }
    char path[128];
    snprintf(path, sizeof path, "%s/in", fuzz_root);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    fuzz_import("supervisord");
    fuzz_import("procfile");
    fuzz_import("compose");
    char *text = imp_xstrndup((const char *)data, size);
    struct imp_script sc;
    imp_script_parse(text, &sc);
    imp_script_free(&sc);
    free(text);
    return 0;
}

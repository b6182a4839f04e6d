/* The runtime object: guest memory, the loaded image, the initial stack. */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "runtime_internal.h"
#include "stack.h"

/* ---- the loader's view of guest memory ---- */

static int map_place(void *ctx, enum loader_place kind, uint64_t len,
                     guest_addr_t *out)
{
    struct guest_mem *m = &((struct runtime *)ctx)->mem;
    if (kind == LOADER_PLACE_PROGRAM && guest_mem_is_free(m, GUEST_PIE_BASE,
                                                          len)) {
        *out = GUEST_PIE_BASE;
        return 0;
    }
    return guest_mem_find_free(m, len, GUEST_MMAP_BASE, out);
}

static int map_file(void *ctx, guest_addr_t addr, uint32_t len, int prot,
                    int fd, uint64_t offset)
{
    struct runtime *rt = ctx;
    int rc = guest_mem_map(&rt->mem, addr, len, prot, fd, offset, 0);
    if (rc == 0)
        codemap_mapped(rt->codemap, addr, guest_page_up(len), fd, offset);
    return rc;
}

static int map_anon(void *ctx, guest_addr_t addr, uint32_t len, int prot)
{
    struct runtime *rt = ctx;
    int rc = guest_mem_map(&rt->mem, addr, len, prot, -1, 0, 0);
    if (rc == 0)
        codemap_mapped(rt->codemap, addr, guest_page_up(len), -1, 0);
    return rc;
}

static int map_zero(void *ctx, guest_addr_t addr, uint32_t len)
{
    struct guest_mem *m = &((struct runtime *)ctx)->mem;
    if (!guest_mem_access_ok(m, addr, len, GUEST_PROT_WRITE))
        return -EFAULT;
    memset(g2h(m, addr), 0, len);
    return 0;
}

static int map_protect(void *ctx, guest_addr_t addr, uint32_t len, int prot)
{
    return guest_mem_protect(&((struct runtime *)ctx)->mem, addr, len, prot);
}

/* ---- creation ---- */

static char **guest_argv(const struct runtime_config *cfg,
                         const struct image_info *info)
{
    int n = info->argv_prefix_count;
    int rest = n ? cfg->argc - 1 : cfg->argc;
    char **v = calloc((size_t)(n + rest + 1), sizeof(char *));
    if (!v)
        return NULL;
    for (int i = 0; i < n; i++)
        v[i] = info->argv_prefix[i];
    for (int i = 0; i < rest; i++)
        v[n + i] = cfg->argv[cfg->argc - rest + i];
    if (!n && rest > 0 && cfg->argv0)
        v[0] = (char *)cfg->argv0;
    return v;
}

int runtime_create(const struct runtime_config *cfg, struct runtime **out,
                   char *err, size_t errlen)
{
    *out = NULL;
    struct runtime *rt = calloc(1, sizeof(*rt));
    if (!rt)
        return -ENOMEM;
    rt->cfg = *cfg;
    int rc = guest_mem_init(&rt->mem);
    if (rc < 0) {
        snprintf(err, errlen, "cannot reserve the 4 GiB guest address "
                 "space: %s", strerror(-rc));
        free(rt);
        return rc;
    }
    /* The stack, its guard gap and the top of the space are the runtime's;
     * loaded segments must stay clear of them. */
    guest_mem_reserve(&rt->mem,
                      GUEST_STACK_TOP - GUEST_STACK_SIZE - GUEST_STACK_GUARD,
                      GUEST_SPACE_SIZE -
                          (GUEST_STACK_TOP - GUEST_STACK_SIZE -
                           GUEST_STACK_GUARD));

    rt->codemap = codemap_create();
    if (!rt->codemap) {
        rc = -ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    struct loader_mapper mapper = {
        .ctx = rt,
        .place = map_place,
        .map_file = map_file,
        .map_anon = map_anon,
        .zero = map_zero,
        .protect = map_protect,
    };
    struct loader_request req = {cfg->argv[0], cfg->sysroot};
    rc = loader_load(&req, &mapper, &rt->info, err, errlen);
    if (rc < 0)
        goto fail;

    uint8_t random[16];
    if (getrandom(random, sizeof(random), 0) != (ssize_t)sizeof(random)) {
        rc = -EIO;
        snprintf(err, errlen, "cannot get random bytes for AT_RANDOM");
        goto fail;
    }
    struct stack_ids ids = {getuid(), geteuid(), getgid(), getegid()};
    char **argv = guest_argv(cfg, &rt->info);
    if (!argv) {
        rc = -ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    rc = stack_build(&rt->mem, &rt->info, argv, cfg->envp, random, &ids);
    free(argv);
    if (rc < 0) {
        snprintf(err, errlen, "%s: cannot build the initial stack: %s",
                 cfg->argv[0], rc == -E2BIG ? "argument list too long"
                                            : strerror(-rc));
        goto fail;
    }
    rt->brk = rt->info.brk;
    pthread_mutex_init(&rt->mm_lock, NULL);
    pthread_mutex_init(&rt->sig.lock, NULL);
    *out = rt;
    return 0;

fail:
    codemap_destroy(rt->codemap);
    loader_image_free(&rt->info);
    guest_mem_fini(&rt->mem);
    free(rt);
    return rc;
}

void runtime_destroy(struct runtime *rt)
{
    if (!rt)
        return;
    jit_destroy(rt->jit);
    codemap_destroy(rt->codemap);
    loader_image_free(&rt->info);
    guest_mem_fini(&rt->mem);
    free(rt);
}

const struct image_info *runtime_image(const struct runtime *rt)
{
    return &rt->info;
}

/* Loading a program: #! scripts, the main ELF file, its dynamic linker.
 *
 * The placement of relocatable objects is the runtime's choice (the
 * mapper's place()); segment mapping, bss zeroing and the image_info
 * bookkeeping follow Linux's load_elf_binary. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "loader_internal.h"

static ssize_t fd_read(void *ctx, void *buf, size_t len, uint64_t off)
{
    int fd = *(int *)ctx;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done,
                          (off_t)(off + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

char *loader_sysroot_path(const char *sysroot, const char *path)
{
    if (sysroot && *sysroot && path[0] == '/') {
        char *p;
        if (asprintf(&p, "%s%s", sysroot, path) < 0)
            return NULL;
        if (access(p, F_OK) == 0)
            return p;
        free(p);
    }
    return strdup(path);
}

/* Open a file to be executed: a regular file with an execute bit, as
 * execve (and qemu-user) require. */
static int open_exec(const char *host_path, const char *name, int *fd_out,
                     uint64_t *size_out, char *err, size_t errlen)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is
     * refused below, as execve refuses it. */
    int fd = open(host_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        return loader_fail(err, errlen, name, -e, "%s", strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return loader_fail(err, errlen, name, -e, "%s", strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return loader_fail(err, errlen, name, -EACCES, "is a directory");
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return loader_fail(err, errlen, name, -EACCES, "not a regular file");
    }
    if (!(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
        close(fd);
        return loader_fail(err, errlen, name, -EACCES, "Permission denied");
    }
    *fd_out = fd;
    *size_out = (uint64_t)st.st_size;
    return 0;
}

static int prot_of(uint32_t flags)
{
    return ((flags & PF_R) ? GUEST_PROT_READ : 0) |
           ((flags & PF_W) ? GUEST_PROT_WRITE : 0) |
           ((flags & PF_X) ? GUEST_PROT_EXEC : 0);
}

/* err holds "FILE: reason" about a file the user did not name (an
 * interpreter); put the file they did name in front, so the one-line
 * message says which program led there: "OUTER: WHATFILE: reason". */
static int fail_within(char *err, size_t errlen, const char *outer,
                       const char *what, int code)
{
    if (!err || !errlen)
        return code;
    char *inner = strdup(err);
    if (!inner)
        return code;
    loader_fail(err, errlen, outer, code, "%s%s", what, inner);
    free(inner);
    return code;
}

static int map_fail(char *err, size_t errlen, const char *name, int rc,
                    guest_addr_t addr)
{
    if (rc == -EEXIST)
        return loader_fail(err, errlen, name, rc,
                           "segment at 0x%08x overlaps memory reserved by "
                           "r386", addr);
    return loader_fail(err, errlen, name, rc,
                       "cannot map segment at 0x%08x: %s", addr,
                       strerror(-rc));
}

/* Map every PT_LOAD segment of obj at its address plus bias. */
static int map_segments(const struct loader_mapper *m, int fd,
                        const struct elf_object *obj, guest_addr_t bias,
                        const char *name, char *err, size_t errlen)
{
    for (unsigned i = 0; i < obj->phnum; i++) {
        const Elf32_Phdr *ph = &obj->ph[i];
        if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
            continue;
        int prot = prot_of(ph->p_flags);
        uint64_t vaddr = (uint64_t)ph->p_vaddr + bias;
        guest_addr_t start = guest_page_down((guest_addr_t)vaddr);
        uint64_t file_end = vaddr + ph->p_filesz;
        uint64_t mem_end = vaddr + ph->p_memsz;
        uint64_t file_page_end = guest_page_up(file_end);
        int rc;

        if (ph->p_filesz > 0) {
            uint32_t len = (uint32_t)(file_page_end - start);
            bool bss = ph->p_memsz > ph->p_filesz;
            rc = m->map_file(m->ctx, start, len,
                             prot | (bss ? GUEST_PROT_WRITE : 0), fd,
                             ph->p_offset & ~(uint64_t)(GUEST_PAGE_SIZE - 1));
            if (rc < 0)
                return map_fail(err, errlen, name, rc, start);
            if (bss) {
                /* The file's bytes after p_filesz in the last page are
                 * not part of the segment: the bss starts zeroed. */
                rc = m->zero(m->ctx, (guest_addr_t)file_end,
                             (uint32_t)(file_page_end - file_end));
                if (rc == 0 && !(prot & GUEST_PROT_WRITE))
                    rc = m->protect(m->ctx, start, len, prot);
                if (rc < 0)
                    return map_fail(err, errlen, name, rc, start);
            }
        } else {
            file_page_end = start;
        }
        uint64_t mem_page_end = guest_page_up(mem_end);
        if (mem_page_end > file_page_end) {
            rc = m->map_anon(m->ctx, (guest_addr_t)file_page_end,
                             (uint32_t)(mem_page_end - file_page_end), prot);
            if (rc < 0)
                return map_fail(err, errlen, name, rc,
                                (guest_addr_t)file_page_end);
        }
    }
    return 0;
}

/* Choose the bias of obj and map it. */
static int load_object(const struct loader_mapper *m, int fd,
                       const struct elf_object *obj, enum loader_place kind,
                       const char *name, guest_addr_t *bias_out, char *err,
                       size_t errlen)
{
    uint64_t span = obj->hi - obj->lo;
    if (span > UINT32_MAX)
        return loader_fail(err, errlen, name, -ENOMEM,
                           "segments span the whole address space");
    guest_addr_t bias = 0;
    if (obj->eh.e_type == ET_DYN) {
        guest_addr_t base;
        int rc = m->place(m->ctx, kind, span, &base);
        if (rc < 0)
            return loader_fail(err, errlen, name, rc,
                               "no room for %llu bytes in the guest address "
                               "space", (unsigned long long)span);
        bias = base - (guest_addr_t)obj->lo;
    }
    *bias_out = bias;
    return map_segments(m, fd, obj, bias, name, err, errlen);
}

/* image_info fields of the main program, as Linux computes them. */
static void fill_program_info(const struct elf_object *obj, guest_addr_t bias,
                              struct image_info *info)
{
    uint32_t start_code = UINT32_MAX, end_code = 0;
    uint32_t start_data = 0, end_data = 0, elf_brk = 0;
    guest_addr_t phdr = 0;
    bool have_phdr = false;
    uint32_t ph_lo = obj->eh.e_phoff;
    uint64_t ph_hi = (uint64_t)ph_lo + obj->phnum * sizeof(Elf32_Phdr);

    for (unsigned i = 0; i < obj->phnum; i++) {
        const Elf32_Phdr *ph = &obj->ph[i];
        if (ph->p_type == PT_PHDR && !have_phdr) {
            phdr = ph->p_vaddr + bias;
            have_phdr = true;
        }
        if (ph->p_type != PT_LOAD)
            continue;
        if (!have_phdr && ph->p_offset <= ph_lo &&
            ph_hi <= (uint64_t)ph->p_offset + ph->p_filesz) {
            phdr = ph->p_vaddr + (ph_lo - ph->p_offset) + bias;
            have_phdr = true;
        }
        uint32_t k = ph->p_vaddr;
        if ((ph->p_flags & PF_X) && k < start_code)
            start_code = k;
        if (start_data < k)
            start_data = k;
        k = ph->p_vaddr + ph->p_filesz;
        if ((ph->p_flags & PF_X) && end_code < k)
            end_code = k;
        if (end_data < k)
            end_data = k;
        k = ph->p_vaddr + ph->p_memsz;
        if (elf_brk < k)
            elf_brk = k;
    }
    if (start_code == UINT32_MAX)
        start_code = 0;
    info->load_bias = bias;
    info->load_addr = (guest_addr_t)obj->lo + bias;
    info->entry = obj->eh.e_entry + bias;
    info->start_code = start_code + bias;
    info->end_code = end_code + bias;
    info->start_data = start_data + bias;
    info->end_data = end_data + bias;
    info->start_brk = info->brk =
        (guest_addr_t)guest_page_up((uint64_t)elf_brk + bias);
    info->phdr = phdr;
    info->phent = sizeof(Elf32_Phdr);
    info->phnum = obj->phnum;
    info->elf_type = obj->eh.e_type;
    info->exec_stack = obj->exec_stack;
}

static int add_prefix(struct image_info *info, const char *interp,
                      const char *arg, const char *filename)
{
    /* prefix[0] stood for argv[0] == filename; it is replaced by
     * interp [arg] filename. */
    char *items[3];
    int n = 0;
    items[n++] = strdup(interp);
    if (arg)
        items[n++] = strdup(arg);
    items[n++] = strdup(filename);
    int keep = info->argv_prefix_count ? info->argv_prefix_count - 1 : 0;
    bool ok = keep + n <= LOADER_MAX_ARGV_PREFIX;
    for (int i = 0; i < n; i++)
        ok = ok && items[i];
    if (!ok) {
        for (int i = 0; i < n; i++)
            free(items[i]);
        return -ENOMEM;
    }
    if (info->argv_prefix_count) {
        free(info->argv_prefix[0]);
        memmove(&info->argv_prefix[n], &info->argv_prefix[1],
                (size_t)keep * sizeof(char *));
    }
    memcpy(info->argv_prefix, items, (size_t)n * sizeof(char *));
    info->argv_prefix_count = keep + n;
    return 0;
}

static int load_interp(const struct loader_request *req,
                       const struct loader_mapper *m, const char *prog,
                       const char *interp, struct image_info *info, char *err,
                       size_t errlen)
{
    info->has_interp = true;
    info->interp_path = strdup(interp);
    info->interp_host_path = loader_sysroot_path(req->sysroot, interp);
    if (!info->interp_path || !info->interp_host_path)
        return loader_fail(err, errlen, prog, -ENOMEM, "out of memory");
    int fd;
    uint64_t size;
    int rc = open_exec(info->interp_host_path, info->interp_host_path, &fd,
                       &size, err, errlen);
    if (rc == -ENOENT)
        return loader_fail(err, errlen, prog, rc,
                           "interpreter %s not found%s%s", interp,
                           req->sysroot ? " (looked in the sysroot " : "",
                           req->sysroot ? "and on the host)" : "");
    if (rc < 0)
        return fail_within(err, errlen, prog, "interpreter ", rc);
    struct elf_source src = {&fd, fd_read, size, info->interp_host_path};
    struct elf_object obj;
    rc = elf_parse(&src, &obj, err, errlen);
    if (rc == 0) {
        guest_addr_t bias;
        rc = load_object(m, fd, &obj, LOADER_PLACE_INTERP,
                         info->interp_host_path, &bias, err, errlen);
        info->interp_base = (guest_addr_t)obj.lo + bias;
        info->interp_entry = obj.eh.e_entry + bias;
        elf_object_free(&obj);
    }
    close(fd);
    if (rc < 0)
        return fail_within(err, errlen, prog, "interpreter ", rc);
    return rc;
}

int loader_load(const struct loader_request *req,
                const struct loader_mapper *m, struct image_info *info,
                char *err, size_t errlen)
{
    memset(info, 0, sizeof(*info));
    if (err && errlen)
        err[0] = '\0';
    info->exec_name = strdup(req->path);
    char *name = strdup(req->path);       /* guest view of the file */
    char *host = strdup(req->path);       /* the file we open */
    int rc = 0, fd = -1, depth = 0;
    if (!info->exec_name || !name || !host) {
        rc = loader_fail(err, errlen, req->path, -ENOMEM, "out of memory");
        goto out;
    }

    for (;; depth++) {
        uint64_t size;
        rc = open_exec(host, name, &fd, &size, err, errlen);
        if (rc < 0)
            goto out;
        char head[256];
        ssize_t n = fd_read(&fd, head, sizeof(head), 0);
        if (n < 0) {
            rc = loader_fail(err, errlen, name, (int)n, "cannot read: %s",
                             strerror((int)-n));
            goto out;
        }
        if (n < 2 || head[0] != '#' || head[1] != '!') {
            struct elf_source src = {&fd, fd_read, size, name};
            struct elf_object obj;
            rc = elf_parse(&src, &obj, err, errlen);
            if (rc < 0)
                goto out;
            guest_addr_t bias;
            rc = load_object(m, fd, &obj, LOADER_PLACE_PROGRAM, name, &bias,
                             err, errlen);
            if (rc == 0) {
                fill_program_info(&obj, bias, info);
                info->exe_path = realpath(host, NULL);
                /* An open file may have no name to resolve (a memfd or a
                 * deleted file behind /proc/self/fd/N): keep the path. */
                if (!info->exe_path && errno != ENOMEM)
                    info->exe_path = strdup(host);
                info->exe_host_path = strdup(host);
                if (!info->exe_path || !info->exe_host_path)
                    rc = loader_fail(err, errlen, name, -ENOMEM,
                                     "out of memory");
            }
            if (rc == 0 && obj.interp)
                rc = load_interp(req, m, name, obj.interp, info, err, errlen);
            info->start_pc = info->has_interp ? info->interp_entry
                                              : info->entry;
            elf_object_free(&obj);
            goto out;
        }
        if (depth == LOADER_MAX_SCRIPT_DEPTH) {
            rc = loader_fail(err, errlen, name, -ELOOP,
                             "too many levels of #! interpreters");
            goto out;
        }
        char *interp, *arg;
        rc = script_parse(head, (size_t)n, name, &interp, &arg, err, errlen);
        if (rc < 0)
            goto out;
        rc = add_prefix(info, interp, arg, name);
        free(arg);
        if (rc < 0) {
            free(interp);
            rc = loader_fail(err, errlen, name, rc, "out of memory");
            goto out;
        }
        close(fd);
        fd = -1;
        free(host);
        host = loader_sysroot_path(req->sysroot, interp);
        free(name);
        name = interp;
        if (!host) {
            rc = loader_fail(err, errlen, name, -ENOMEM, "out of memory");
            goto out;
        }
    }

out:
    /* Past the first #! line, errors name an interpreter: say which
     * script asked for it. */
    if (rc < 0 && depth > 0)
        fail_within(err, errlen, req->path, "", rc);
    if (fd >= 0)
        close(fd);
    free(name);
    free(host);
    if (rc < 0)
        loader_image_free(info);
    return rc;
}

void loader_image_free(struct image_info *info)
{
    free(info->interp_path);
    free(info->interp_host_path);
    free(info->exe_path);
    free(info->exe_host_path);
    free(info->exec_name);
    for (int i = 0; i < info->argv_prefix_count; i++)
        free(info->argv_prefix[i]);
    memset(info, 0, sizeof(*info));
}

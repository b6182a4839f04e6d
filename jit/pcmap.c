/* Guest pcs of host code, for faults.
 *
 * A unit lifted with env.lines gives each instruction a debug location
 * whose line is the guest pc it came from, so the object LLVM emits
 * carries a DWARF line table (.debug_line) from host code addresses to
 * guest pcs: translated code stores no pc at run time, and a host fault
 * in it is named by reading that table.  Units are compiled without one
 * (it is a quarter of a first-tier compile): at a fault in such a unit,
 * jit/lines.c compiles its object's units again with tables, which serve
 * their faults from then on.  Objects are registered as they are linked
 * (objload.c), with the host ranges and guest pcs of their units (read
 * from the symbol table: u_PC_... and h_PC_...); one from the persistent
 * cache is read where it lies (the file stays mapped for the run) when a
 * fault asks.  Faults are rare: the registry is a list pushed to without
 * a lock (fork-safe) and searched linearly, after the object the last
 * fault was in.
 *
 * What can be imprecise: code the optimiser moved or merged across guest
 * instructions has the location LLVM gives it (line 0 when it hoists an
 * instruction: then the last row with a line before it names it). */
#include <stdlib.h>
#include <string.h>

#include "jit_internal.h"
#include "objfile.h"
#include "r386/cursor.h"

/* A unit of an object: its code and where it came from. */
struct pcmap_unit {
    uint64_t lo, hi;
    guest_addr_t pc;
    bool hot;     /* h_: the optimising tier's */
    uint64_t seq; /* the name's last number: the order of lifting */
};

/* A line table made for one unit at a fault (lines.c); lines NULL when
 * none could be. */
struct pcmap_made {
    struct pcmap_made *next;
    uint64_t lo, hi;
    uint8_t *lines;
    size_t nlines;
};

struct jit_pcmap_obj {
    struct jit_pcmap_obj *next;
    uint64_t lo, hi;    /* the object's block in the arena (or the object
                           itself, when it runs in place) */
    bool in_place;
    const uint8_t *obj; /* borrowed: the object, in the cache's file */
    size_t len;
    uint8_t *lines;     /* owned: its .debug_line, relocated (for a
                           borrowed object: once a fault asked) */
    size_t nlines;
    bool no_lines;      /* it has no .debug_line (known once read) */
    struct pcmap_unit *units; /* owned: its units, when it has no lines
                                 (for a borrowed object: once asked) */
    size_t nunits;
    struct pcmap_made *made; /* pushed without a lock */
};

/* The index of section name in o (0: none). */
static unsigned find_section(const struct obj *o, const char *name)
{
    for (unsigned i = 1; i < o->nsh; i++)
        if (strcmp(jit_obj_section_name(o, i), name) == 0)
            return i;
    return 0;
}

/* Where o's sections are from the address it is linked at: objload.c's
 * layout, or their offsets in the file for an object run in place. */
static void section_offsets(const struct obj *o, bool in_place,
                            uint64_t off[MAX_SECTIONS])
{
    uint64_t align;
    jit_obj_layout(o, off, &align);
    for (unsigned i = 0; in_place && i < o->nsh; i++)
        off[i] = o->sh[i].sh_offset;
}

/* A copy of the .debug_line of o, linked at mem (in_place: its sections
 * at their offsets from mem), with the addresses its relocations name
 * filled in (DW_LNE_set_address operands); NULL when it has none or on a
 * malformed object. */
static uint8_t *relocated_lines(const struct obj *o, uint64_t mem,
                                bool in_place, size_t *n)
{
    unsigned li = find_section(o, ".debug_line");
    if (!li || o->sh[li].sh_type != SHT_PROGBITS || !o->sh[li].sh_size)
        return NULL;
    const Elf64_Shdr *ls = &o->sh[li];
    uint64_t off[MAX_SECTIONS];
    section_offsets(o, in_place, off);
    uint8_t *p = malloc(ls->sh_size);
    if (!p)
        return NULL;
    memcpy(p, o->base + ls->sh_offset, ls->sh_size);
    for (unsigned i = 0; i < o->nsh; i++) {
        const Elf64_Shdr *rs = &o->sh[i];
        if (rs->sh_type != SHT_RELA || rs->sh_info != li ||
            rs->sh_entsize != sizeof(Elf64_Rela) || rs->sh_offset % 8)
            continue;
        const Elf64_Rela *r = (const Elf64_Rela *)(o->base + rs->sh_offset);
        for (size_t k = 0; k < rs->sh_size / sizeof(*r); k++) {
            size_t si = ELF64_R_SYM(r[k].r_info);
            if (ELF64_R_TYPE(r[k].r_info) != R_X86_64_64 || si >= o->nsym ||
                ls->sh_size < 8 || r[k].r_offset > ls->sh_size - 8)
                continue;
            const Elf64_Sym *s = &o->sym[si];
            if (s->st_shndx == SHN_UNDEF || s->st_shndx >= o->nsh ||
                !(o->sh[s->st_shndx].sh_flags & SHF_ALLOC))
                continue;
            uint64_t v = mem + off[s->st_shndx] + s->st_value +
                         (uint64_t)r[k].r_addend;
            memcpy(p + r[k].r_offset, &v, 8);
        }
    }
    *n = ls->sh_size;
    return p;
}

uint8_t *jit_pcmap_lines(const struct obj *o, const Elf64_Sym *s,
                         uint64_t code, size_t *n)
{
    uint64_t off[MAX_SECTIONS];
    section_offsets(o, false, off);
    return relocated_lines(o, code - off[s->st_shndx] - s->st_value, false, n);
}

static int by_seq(const void *a, const void *b)
{
    const struct pcmap_unit *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The units of o linked at mem (as relocated_lines has it), in the order
 * they were lifted: the function symbols the JIT named u_PC_..._SEQ and
 * h_PC_..._SEQ; NULL when none. */
static struct pcmap_unit *units_of(const struct obj *o, uint64_t mem,
                                   bool in_place, size_t *n)
{
    uint64_t off[MAX_SECTIONS];
    section_offsets(o, in_place, off);
    size_t count = 0;
    struct pcmap_unit *u = NULL;
    for (int pass = 0; pass < 2; pass++) {
        count = 0;
        for (size_t i = 1; i < o->nsym; i++) {
            const Elf64_Sym *sy = &o->sym[i];
            const char *nm = jit_obj_sym_name(o, sy);
            char *end;
            if (ELF64_ST_TYPE(sy->st_info) != STT_FUNC || !nm ||
                (nm[0] != 'u' && nm[0] != 'h') || nm[1] != '_' ||
                sy->st_shndx == SHN_UNDEF || sy->st_shndx >= o->nsh)
                continue;
            unsigned long pc = strtoul(nm + 2, &end, 16);
            const char *last = strrchr(nm, '_');
            if (end != nm + 10 || *end != '_' || last == end)
                continue;
            if (u) {
                u[count].lo = mem + off[sy->st_shndx] + sy->st_value;
                u[count].hi = u[count].lo + sy->st_size;
                u[count].pc = (guest_addr_t)pc;
                u[count].hot = nm[0] == 'h';
                u[count].seq = strtoull(last + 1, NULL, 10);
            }
            count++;
        }
        if (count == 0 || (!u && !(u = calloc(count, sizeof(*u)))))
            return NULL;
    }
    qsort(u, count, sizeof(*u), by_seq);
    *n = count;
    return u;
}

/* ---- reading a line table (DWARF 2 to 5, .debug_line) ---- */
/* The line of the row whose address range holds pc, in the line program
 * of one unit (r at its unit_length); 0 when none does. */
static uint32_t unit_line(struct r386_cursor *r, uint64_t pc)
{
    uint64_t len = r386_cur_bytes(r, 4);
    unsigned offsz = 4;
    if (len == 0xffffffffu) {
        len = r386_cur_bytes(r, 8);
        offsz = 8;
    }
    if (r->bad || len > (uint64_t)(r->end - r->p)) {
        r->bad = true;
        return 0;
    }
    const uint8_t *unit_end = r->p + len;
    struct r386_cursor u = {r->p, unit_end, false};
    r->p = unit_end;
    unsigned version = (unsigned)r386_cur_bytes(&u, 2);
    if (version < 2 || version > 5)
        return 0;
    if (version >= 5)
        r386_cur_bytes(&u, 2); /* address_size, segment_selector_size */
    uint64_t hlen = r386_cur_bytes(&u, offsz);
    if (u.bad || hlen > (uint64_t)(u.end - u.p))
        return 0;
    const uint8_t *prog = u.p + hlen;
    unsigned min_insn = (unsigned)r386_cur_bytes(&u, 1);
    if (version >= 4)
        r386_cur_bytes(&u, 1); /* maximum_operations_per_instruction */
    r386_cur_bytes(&u, 1);     /* default_is_stmt */
    int line_base = (int8_t)r386_cur_bytes(&u, 1);
    unsigned line_range = (unsigned)r386_cur_bytes(&u, 1);
    unsigned opcode_base = (unsigned)r386_cur_bytes(&u, 1);
    const uint8_t *oplen = u.p;
    if (u.bad || line_range == 0 || opcode_base == 0 ||
        (size_t)(prog - oplen) < opcode_base - 1)
        return 0;
    u.p = prog;
    uint64_t addr = 0, prev_addr = 0;
    uint32_t line = 1, last_line = 0; /* last_line: of the latest row */
    bool have_prev = false;
    while (u.p < u.end && !u.bad) {
        unsigned op = (unsigned)r386_cur_bytes(&u, 1);
        bool row = false, end_seq = false;
        if (op >= opcode_base) {
            unsigned adj = op - opcode_base;
            addr += (uint64_t)(adj / line_range) * min_insn;
            line += (uint32_t)(line_base + (int)(adj % line_range));
            row = true;
        } else if (op == 0) {
            uint64_t n = r386_cur_leb(&u, NULL);
            if (n == 0 || n > (uint64_t)(u.end - u.p))
                return 0;
            const uint8_t *next = u.p + n;
            unsigned sub = (unsigned)r386_cur_bytes(&u, 1);
            if (sub == 1) { /* DW_LNE_end_sequence */
                row = end_seq = true;
            } else if (sub == 2 && n == 9) { /* DW_LNE_set_address */
                addr = r386_cur_bytes(&u, 8);
            }
            u.p = next;
        } else if (op == 1) { /* DW_LNS_copy */
            row = true;
        } else if (op == 2) { /* DW_LNS_advance_pc */
            addr += r386_cur_leb(&u, NULL) * min_insn;
        } else if (op == 3) { /* DW_LNS_advance_line */
            int64_t d = 0;
            r386_cur_leb(&u, &d);
            line += (uint32_t)d;
        } else if (op == 8) { /* DW_LNS_const_add_pc */
            addr += (uint64_t)((255 - opcode_base) / line_range) * min_insn;
        } else if (op == 9) { /* DW_LNS_fixed_advance_pc */
            addr += r386_cur_bytes(&u, 2);
        } else {
            /* set_file, set_column, set_isa take one operand, negate_stmt
             * and the like none: as the header says. */
            for (unsigned k = 0; k < oplen[op - 1]; k++)
                r386_cur_leb(&u, NULL);
        }
        if (!row)
            continue;
        /* The previous row covers [prev_addr, addr). */
        if (have_prev && prev_addr <= pc && pc < addr)
            return last_line;
        if (end_seq) {
            have_prev = false;
            addr = 0;
            line = 1;
            last_line = 0;
            continue;
        }
        have_prev = true;
        prev_addr = addr;
        if (line)
            last_line = line;
    }
    return 0;
}

static uint32_t find_line(const uint8_t *p, size_t n, uint64_t pc)
{
    struct r386_cursor r = {p, p + n, false};
    while (r.p < r.end && !r.bad) {
        uint32_t line = unit_line(&r, pc);
        if (line)
            return line;
    }
    return 0;
}

/* ---- the registry ---- */
static void push(struct jit *j, struct jit_pcmap_obj *r)
{
    r->next = __atomic_load_n(&j->pcmap, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&j->pcmap, &r->next, r, true,
                                        __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        ;
}

void jit_pcmap_add(struct jit *j, uint64_t mem, uint64_t size,
                   const void *obj, size_t len, bool borrow)
{
    struct jit_pcmap_obj *r = calloc(1, sizeof(*r));
    if (!r)
        return;
    r->lo = mem;
    r->hi = mem + size;
    struct obj o;
    if (borrow) { /* read when a fault asks (warm starts link thousands) */
        r->obj = obj;
        r->len = len;
    } else if (!jit_obj_parse(&o, obj, len)) {
        free(r);
        return;
    } else if (!(r->lines = relocated_lines(&o, mem, false, &r->nlines))) {
        r->no_lines = true;
        if (!(r->units = units_of(&o, mem, false, &r->nunits))) {
            free(r);
            return;
        }
    }
    push(j, r);
}

void jit_pcmap_add_in_place(struct jit *j, const void *obj, size_t len)
{
    struct jit_pcmap_obj *r = calloc(1, sizeof(*r));
    if (!r)
        return;
    r->lo = (uint64_t)(uintptr_t)obj;
    r->hi = r->lo + len;
    r->in_place = true;
    r->obj = obj;
    r->len = len;
    push(j, r);
}

/* The registered object holding host_pc, NULL when none does.  (The one
 * found last is tried first: a program that takes many faults, a garbage
 * collector's write barrier say, takes them in the same few places.) */
static struct jit_pcmap_obj *find_obj(struct jit *j, uint64_t host_pc)
{
    struct jit_pcmap_obj *r = __atomic_load_n(&j->pcmap_last,
                                              __ATOMIC_ACQUIRE);
    if (r && host_pc >= r->lo && host_pc < r->hi)
        return r;
    for (r = __atomic_load_n(&j->pcmap, __ATOMIC_ACQUIRE); r; r = r->next)
        if (host_pc >= r->lo && host_pc < r->hi) {
            __atomic_store_n(&j->pcmap_last, r, __ATOMIC_RELEASE);
            return r;
        }
    return NULL;
}

/* Publish *mine in *slot unless another thread did first; returns the
 * one that stands (the other is freed). */
static void *publish(void **slot, void *mine)
{
    void *none = NULL;
    if (__atomic_compare_exchange_n(slot, &none, mine, false,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return mine;
    free(mine);
    return none;
}

/* A borrowed object's table (or, when it has none, its units), read
 * once and kept. */
static void read_borrowed(struct jit_pcmap_obj *r)
{
    struct obj o;
    if (!r->obj || !jit_obj_parse(&o, r->obj, r->len))
        return;
    size_t n = 0;
    uint8_t *mine = relocated_lines(&o, r->lo, r->in_place, &n);
    if (mine) {
        __atomic_store_n(&r->nlines, n, __ATOMIC_RELAXED); /* (same in all) */
        publish((void **)&r->lines, mine);
        return;
    }
    struct pcmap_unit *u = units_of(&o, r->lo, r->in_place, &n);
    if (u) {
        __atomic_store_n(&r->nunits, n, __ATOMIC_RELAXED);
        publish((void **)&r->units, u);
    }
    __atomic_store_n(&r->no_lines, true, __ATOMIC_RELEASE);
}

static void push_made(struct jit_pcmap_obj *r, uint64_t lo, uint64_t hi,
                      uint8_t *lines, size_t nlines)
{
    struct pcmap_made *m = calloc(1, sizeof(*m));
    if (!m) {
        free(lines);
        return;
    }
    *m = (struct pcmap_made){NULL, lo, hi, lines, nlines};
    m->next = __atomic_load_n(&r->made, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&r->made, &m->next, m, true,
                                        __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        ;
}

static const struct pcmap_made *find_made(struct jit_pcmap_obj *r,
                                          uint64_t host_pc)
{
    for (struct pcmap_made *m = __atomic_load_n(&r->made, __ATOMIC_ACQUIRE);
         m; m = m->next)
        if (host_pc >= m->lo && host_pc < m->hi)
            return m;
    return NULL;
}

/* The table made for the unit of r holding host_pc, made now (with those
 * of the object's other units: one compile serves them all) if there is
 * none yet; NULL, or one without lines, when none could be. */
static const struct pcmap_made *made_for(struct jit *j,
                                         struct jit_pcmap_obj *r,
                                         uint64_t host_pc)
{
    const struct pcmap_made *m = find_made(r, host_pc);
    if (m)
        return m;
    const struct pcmap_unit *u = __atomic_load_n(&r->units, __ATOMIC_ACQUIRE);
    size_t n = __atomic_load_n(&r->nunits, __ATOMIC_RELAXED);
    size_t k = 0;
    while (u && k < n && !(host_pc >= u[k].lo && host_pc < u[k].hi))
        k++;
    if (!u || k == n || n > JIT_OBJ_UNITS_MAX)
        return NULL;
    struct jit_lines_unit lu[JIT_OBJ_UNITS_MAX] = {{0}};
    for (size_t i = 0; i < n; i++)
        lu[i] = (struct jit_lines_unit){u[i].pc, u[i].lo, u[i].hi - u[i].lo,
                                        NULL, 0};
    jit_object_lines(j, lu, n, k, u[k].hot);
    for (size_t i = 0; i < n; i++)
        if (i == k || (lu[i].lines && !find_made(r, u[i].lo)))
            push_made(r, u[i].lo, u[i].hi, lu[i].lines, lu[i].nlines);
        else
            free(lu[i].lines);
    return find_made(r, host_pc);
}

bool jit_guest_pc(struct jit *j, uint64_t host_pc, guest_addr_t *pc)
{
    struct jit_pcmap_obj *r = find_obj(j, host_pc);
    if (!r)
        return false;
    if (!__atomic_load_n(&r->lines, __ATOMIC_ACQUIRE) &&
        !__atomic_load_n(&r->no_lines, __ATOMIC_ACQUIRE))
        read_borrowed(r);
    const uint8_t *lines = __atomic_load_n(&r->lines, __ATOMIC_ACQUIRE);
    size_t nlines = __atomic_load_n(&r->nlines, __ATOMIC_RELAXED);
    if (!lines) {
        const struct pcmap_made *m = made_for(j, r, host_pc);
        if (!m || !m->lines)
            return false;
        lines = m->lines;
        nlines = m->nlines;
    }
    uint32_t line = find_line(lines, nlines, host_pc);
    if (!line)
        return false;
    *pc = line;
    return true;
}

void jit_pcmap_free(struct jit *j)
{
    struct jit_pcmap_obj *r = j->pcmap;
    while (r) {
        struct jit_pcmap_obj *next = r->next;
        free(r->lines);
        free(r->units);
        for (struct pcmap_made *m = r->made, *mn; m; m = mn) {
            mn = m->next;
            free(m->lines);
            free(m);
        }
        free(r);
        r = next;
    }
    j->pcmap = NULL;
    j->pcmap_last = NULL;
}

/* Call frame information of an ELF32 i386 file: its .eh_frame, the CIEs
 * and FDEs that say, for every instruction of a function, where the
 * caller's frame is (the CFA) and where each register of the caller was
 * saved.  GCC emits them for every function of i386 code (asynchronous
 * unwind tables are its default there, as code has no frame pointer), and
 * Debian keeps them in stripped files: the profiler walks guest stacks
 * with them (profile/unwind.c), and the symbol table takes function
 * starts from the FDEs (symbols.c).
 *
 * The section is copied and indexed once (FDEs by start); a row -- the
 * rules at one address -- is computed when asked for by running the CIE's
 * and the FDE's instructions up to that address.  Every read is bounded
 * (r386/cursor.h): a malformed section gives fewer FDEs or no row, never a
 * read outside the copy. */
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "loader_internal.h"
#include "r386/cursor.h"

struct cfi_fde {
    uint32_t start, range;
    uint32_t cie;        /* offset of the CIE's length field */
    uint32_t ins, end;   /* the FDE's instructions: [ins, end) */
};

struct cfi_table {
    uint8_t *eh;       /* a copy of .eh_frame */
    size_t n;
    uint32_t addr;     /* its file virtual address (for pcrel pointers) */
    struct cfi_fde *fde; /* sorted by start */
    size_t nfde;
};

/* DWARF pointer encodings (DW_EH_PE_*) used by .eh_frame. */
enum {
    PE_ABSPTR = 0x00, PE_ULEB = 0x01, PE_UDATA2 = 0x02, PE_UDATA4 = 0x03,
    PE_UDATA8 = 0x04, PE_SLEB = 0x09, PE_SDATA2 = 0x0a, PE_SDATA4 = 0x0b,
    PE_SDATA8 = 0x0c, PE_PCREL = 0x10, PE_OMIT = 0xff,
};

/* A pointer in encoding enc at the cursor of table t.  false: an
 * encoding not handled (datarel, indirect...). */
static bool cur_pointer(const struct cfi_table *t, struct r386_cursor *c,
                        uint8_t enc, uint32_t *out)
{
    uint32_t field = t->addr + (uint32_t)(c->p - t->eh);
    int64_t sv = 0;
    uint64_t v;
    switch (enc & 0x0f) {
    case PE_ABSPTR: v = r386_cur_bytes(c, 4); break;
    case PE_ULEB: v = r386_cur_leb(c, NULL); break;
    case PE_UDATA2: v = r386_cur_bytes(c, 2); break;
    case PE_UDATA4: v = r386_cur_bytes(c, 4); break;
    case PE_UDATA8: v = r386_cur_bytes(c, 8); break;
    case PE_SLEB: r386_cur_leb(c, &sv); v = (uint64_t)sv; break;
    case PE_SDATA2: v = (uint64_t)(int16_t)r386_cur_bytes(c, 2); break;
    case PE_SDATA4: v = (uint64_t)(int32_t)r386_cur_bytes(c, 4); break;
    case PE_SDATA8: v = r386_cur_bytes(c, 8); break;
    default: c->bad = true; return false;
    }
    switch (enc & 0x70) {
    case 0: break;
    case PE_PCREL: v += field; break;
    default: return false;
    }
    *out = (uint32_t)v;
    return !c->bad;
}

struct cie {
    uint64_t code_align;
    int64_t data_align;
    uint8_t fde_enc;
    bool z;      /* 'z': FDEs have augmentation data */
    bool signal; /* 'S': a signal frame's trampoline */
    const uint8_t *ins, *end;
};

/* The CIE whose length field is at offset off. */
static bool read_cie(const struct cfi_table *t, size_t off, struct cie *out)
{
    if (off > t->n || t->n - off < 9)
        return false;
    uint32_t len, id;
    memcpy(&len, t->eh + off, 4);
    memcpy(&id, t->eh + off + 4, 4);
    if (id != 0 || len < 5 || len == 0xffffffffu || len > t->n - off - 4)
        return false;
    struct r386_cursor c = {t->eh + off + 8, t->eh + off + 4 + len, false};
    uint8_t version = (uint8_t)r386_cur_bytes(&c, 1);
    const char *aug = (const char *)c.p;
    size_t alen = strnlen(aug, (size_t)(c.end - c.p));
    if (c.bad || alen == (size_t)(c.end - c.p))
        return false;
    c.p += alen + 1;
    *out = (struct cie){.fde_enc = PE_ABSPTR, .end = c.end};
    if (strstr(aug, "eh"))
        r386_cur_bytes(&c, 4);
    out->code_align = r386_cur_leb(&c, NULL);
    r386_cur_leb(&c, &out->data_align);
    uint64_t ra = version == 1 ? r386_cur_bytes(&c, 1) : r386_cur_leb(&c, NULL);
    if (ra != ELF_CFI_RA)
        return false; /* i386's return address column is eip's, 8 */
    if (aug[0] == 'z') {
        out->z = true;
        uint64_t dlen = r386_cur_leb(&c, NULL);
        if (c.bad || dlen > (uint64_t)(c.end - c.p))
            return false;
        struct r386_cursor d = {c.p, c.p + dlen, false};
        c.p += dlen;
        for (const char *a = aug + 1; *a && !d.bad; a++) {
            if (*a == 'R') {
                out->fde_enc = (uint8_t)r386_cur_bytes(&d, 1);
            } else if (*a == 'L') {
                r386_cur_bytes(&d, 1);
            } else if (*a == 'P') {
                uint8_t penc = (uint8_t)r386_cur_bytes(&d, 1);
                uint32_t p;
                if (!cur_pointer(t, &d, penc & 0x0f, &p))
                    return false;
            } else if (*a == 'S') {
                out->signal = true;
            } else if (*a != 'B') {
                return false;
            }
        }
        if (d.bad)
            return false;
    } else if (aug[0]) {
        return false; /* augmentations without 'z' have no known size */
    }
    out->ins = c.p;
    return !c.bad && out->fde_enc != PE_OMIT;
}

static int by_start(const void *a, const void *b)
{
    const struct cfi_fde *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

struct cfi_table *cfi_table_new(const uint8_t *eh, size_t n, uint32_t addr)
{
    struct cfi_table *t = calloc(1, sizeof(*t));
    if (!t || !(t->eh = malloc(n ? n : 1))) {
        free(t);
        return NULL;
    }
    memcpy(t->eh, eh, n);
    t->n = n;
    t->addr = addr;
    size_t cap = 0;
    size_t off = 0;
    while (off <= n && n - off >= 8) {
        uint32_t len, id;
        memcpy(&len, t->eh + off, 4);
        if (len == 0 || len == 0xffffffffu || len > n - off - 4)
            break; /* terminator, 64-bit DWARF or truncated */
        memcpy(&id, t->eh + off + 4, 4);
        size_t end = off + 4 + (size_t)len;
        struct cie cie;
        /* An FDE's id is the distance back to its CIE. */
        if (id != 0 && id <= off + 4 && read_cie(t, off + 4 - id, &cie)) {
            struct r386_cursor c = {t->eh + off + 8, t->eh + end, false};
            uint32_t start, range;
            if (cur_pointer(t, &c, cie.fde_enc, &start) &&
                cur_pointer(t, &c, cie.fde_enc & 0x0f, &range) && start) {
                /* (Instructions from here, after the augmentation data
                 * cfi_table_row skips.) */
                if (t->nfde == cap) {
                    cap = cap ? 2 * cap : 256;
                    struct cfi_fde *f = realloc(t->fde, cap * sizeof(*f));
                    if (!f)
                        break;
                    t->fde = f;
                }
                t->fde[t->nfde++] = (struct cfi_fde){
                    start, range, (uint32_t)(off + 4 - id),
                    (uint32_t)(c.p - t->eh), (uint32_t)end};
            }
        }
        off = end;
    }
    if (t->nfde) /* (qsort may not be given NULL) */
        qsort(t->fde, t->nfde, sizeof(*t->fde), by_start);
    return t;
}

void cfi_table_free(struct cfi_table *t)
{
    if (!t)
        return;
    free(t->fde);
    free(t->eh);
    free(t);
}

size_t cfi_table_count(const struct cfi_table *t)
{
    return t ? t->nfde : 0;
}

void cfi_table_fde(const struct cfi_table *t, size_t i, uint32_t *start,
                   uint32_t *range)
{
    *start = t->fde[i].start;
    *range = t->fde[i].range;
}

/* ---- rows ---- */

#define CFI_STATES 8 /* DW_CFA_remember_state depth */

static void set_rule(struct elf_cfi_row *row, uint64_t reg,
                     struct elf_cfi_rule r)
{
    if (reg < ELF_CFI_REGS)
        row->reg[reg] = r;
}

/* A DWARF block (ULEB length, bytes) at the cursor. */
static bool block(struct r386_cursor *c, struct elf_cfi_rule *r)
{
    uint64_t len = r386_cur_leb(c, NULL);
    if (c->bad || len > (uint64_t)(c->end - c->p))
        return false;
    r->expr = c->p;
    r->expr_len = (uint32_t)len;
    c->p += len;
    return true;
}

/* Runs instructions [p, end) from address loc; stops before the first
 * advance past target (target == UINT32_MAX: the CIE's, all).  init: the
 * row after the CIE's instructions (DW_CFA_restore), or NULL while
 * running those. */
static bool run(const struct cie *cie, const uint8_t *p, const uint8_t *end,
                uint32_t loc, uint32_t target, struct elf_cfi_row *row,
                const struct elf_cfi_row *init)
{
    struct elf_cfi_row saved[CFI_STATES];
    unsigned nsaved = 0;
    struct r386_cursor c = {p, end, false};
    while (c.p < c.end && !c.bad) {
        uint8_t op = (uint8_t)r386_cur_bytes(&c, 1);
        uint64_t reg, delta = 0;
        int64_t s = 0;
        struct elf_cfi_rule r = {0};
        switch (op >> 6) {
        case 1: /* DW_CFA_advance_loc */
            delta = op & 0x3f;
            goto advance;
        case 2: /* DW_CFA_offset */
            reg = op & 0x3f;
            goto offset;
        case 3: /* DW_CFA_restore */
            reg = op & 0x3f;
            goto restore;
        }
        switch (op) {
        case 0x00: /* nop */
            break;
        case 0x01: { /* set_loc (absolute pointers only) */
            uint32_t a = (uint32_t)r386_cur_bytes(&c, 4);
            if (cie->fde_enc != PE_ABSPTR && cie->fde_enc != PE_UDATA4)
                return false;
            if (a > target)
                return true;
            loc = a;
            break;
        }
        case 0x02: delta = r386_cur_bytes(&c, 1); goto advance;
        case 0x03: delta = r386_cur_bytes(&c, 2); goto advance;
        case 0x04: delta = r386_cur_bytes(&c, 4); goto advance;
        case 0x05: /* offset_extended */
            reg = r386_cur_leb(&c, NULL);
            goto offset;
        case 0x06: /* restore_extended */
            reg = r386_cur_leb(&c, NULL);
            goto restore;
        case 0x07: /* undefined */
            r.how = ELF_CFI_UNDEFINED;
            set_rule(row, r386_cur_leb(&c, NULL), r);
            break;
        case 0x08: /* same_value */
            set_rule(row, r386_cur_leb(&c, NULL), r);
            break;
        case 0x09: /* register */
            reg = r386_cur_leb(&c, NULL);
            r.how = ELF_CFI_REG;
            r.reg = (uint8_t)r386_cur_leb(&c, NULL);
            set_rule(row, reg, r);
            break;
        case 0x0a: /* remember_state */
            if (nsaved == CFI_STATES)
                return false;
            saved[nsaved++] = *row;
            break;
        case 0x0b: /* restore_state (the CFA's rule too, as GCC means it) */
            if (!nsaved)
                return false;
            *row = saved[--nsaved];
            break;
        case 0x0c: /* def_cfa */
            row->cfa.how = ELF_CFI_REG;
            row->cfa.reg = (uint8_t)r386_cur_leb(&c, NULL);
            row->cfa.off = (int32_t)r386_cur_leb(&c, NULL);
            break;
        case 0x0d: /* def_cfa_register */
            row->cfa.how = ELF_CFI_REG;
            row->cfa.reg = (uint8_t)r386_cur_leb(&c, NULL);
            break;
        case 0x0e: /* def_cfa_offset */
            row->cfa.off = (int32_t)r386_cur_leb(&c, NULL);
            break;
        case 0x0f: /* def_cfa_expression */
            row->cfa.how = ELF_CFI_VAL_EXPR;
            if (!block(&c, &row->cfa))
                return false;
            break;
        case 0x10: /* expression */
        case 0x16: /* val_expression */
            reg = r386_cur_leb(&c, NULL);
            r.how = op == 0x10 ? ELF_CFI_AT_EXPR : ELF_CFI_VAL_EXPR;
            if (!block(&c, &r))
                return false;
            set_rule(row, reg, r);
            break;
        case 0x11: /* offset_extended_sf */
        case 0x14: /* val_offset */
        case 0x15: /* val_offset_sf */
            reg = r386_cur_leb(&c, NULL);
            if (op == 0x14)
                s = (int64_t)r386_cur_leb(&c, NULL);
            else
                r386_cur_leb(&c, &s);
            r.how = op == 0x11 ? ELF_CFI_AT : ELF_CFI_VAL;
            r.off = (int32_t)(s * cie->data_align);
            set_rule(row, reg, r);
            break;
        case 0x12: /* def_cfa_sf */
            row->cfa.how = ELF_CFI_REG;
            row->cfa.reg = (uint8_t)r386_cur_leb(&c, NULL);
            r386_cur_leb(&c, &s);
            row->cfa.off = (int32_t)(s * cie->data_align);
            break;
        case 0x13: /* def_cfa_offset_sf */
            r386_cur_leb(&c, &s);
            row->cfa.off = (int32_t)(s * cie->data_align);
            break;
        case 0x2e: /* GNU_args_size */
            r386_cur_leb(&c, NULL);
            break;
        case 0x2f: /* GNU_negative_offset_extended */
            reg = r386_cur_leb(&c, NULL);
            r.how = ELF_CFI_AT;
            r.off = -(int32_t)((int64_t)r386_cur_leb(&c, NULL) *
                               cie->data_align);
            set_rule(row, reg, r);
            break;
        default:
            return false;
        }
        continue;
    offset: /* reg saved at CFA + factored offset */
        r.how = ELF_CFI_AT;
        r.off = (int32_t)((int64_t)r386_cur_leb(&c, NULL) * cie->data_align);
        set_rule(row, reg, r);
        continue;
    restore: /* reg's rule as the CIE left it */
        if (!init)
            return false;
        if (reg < ELF_CFI_REGS)
            row->reg[reg] = init->reg[reg];
        continue;
    advance:
        if (c.bad)
            return false;
        delta *= cie->code_align;
        if (delta > (uint64_t)(target - loc))
            return true;
        loc += (uint32_t)delta;
    }
    return !c.bad;
}

bool cfi_table_row(const struct cfi_table *t, uint32_t vaddr,
                   struct elf_cfi_row *row)
{
    if (!t || !t->nfde)
        return false;
    size_t lo = 0, hi = t->nfde;
    while (lo < hi) { /* first start above vaddr */
        size_t mid = lo + (hi - lo) / 2;
        if (t->fde[mid].start <= vaddr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return false;
    const struct cfi_fde *f = &t->fde[lo - 1];
    if (vaddr - f->start >= f->range)
        return false;
    struct cie cie;
    if (!read_cie(t, f->cie, &cie))
        return false;
    memset(row, 0, sizeof(*row)); /* every register: same value */
    row->signal = cie.signal;
    if (!run(&cie, cie.ins, cie.end, 0, UINT32_MAX, row, NULL))
        return false;
    struct elf_cfi_row init = *row;
    const uint8_t *ins = t->eh + f->ins, *end = t->eh + f->end;
    if (cie.z) { /* the FDE's augmentation data */
        struct r386_cursor c = {ins, end, false};
        uint64_t len = r386_cur_leb(&c, NULL);
        if (c.bad || len > (uint64_t)(c.end - c.p))
            return false;
        ins = c.p + len;
    }
    return run(&cie, ins, end, f->start, vaddr, row, &init) &&
           row->cfa.how != ELF_CFI_SAME;
}

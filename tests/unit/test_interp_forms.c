/* The interpreter's forms (interp/fast.c) against its generic executor
 * (interp_exec): for each form, instructions that decode to it run from
 * many random states both ways -- the form as decoded, and the same
 * instruction with its form set to FORM_GENERIC -- and must leave the
 * same CPU state and the same guest memory.  interp_exec itself is held
 * to the lifter's semantics by test_insn_interp's cases; this holds every
 * form to interp_exec, flags the cases do not reach included. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "interp_internal.h"
#include "test_util.h"

#define WINDOW (1ull << 32)
/* Memory operands address [MEM_LO, MEM_LO + MEM_SPAN) (the registers a
 * case uses as base or index are set so); the stack is there too. */
#define MEM_LO 0x10000u
#define MEM_SPAN 0x4000u
#define RUNS 400

static uint8_t *window;

static void setup(void)
{
    void *w = mmap(NULL, WINDOW, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ck_assert_ptr_ne(w, MAP_FAILED);
    window = w;
}

static void teardown(void)
{
    munmap(window, WINDOW);
}

/* xorshift64*: reproducible states. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

/* A random state: registers mostly random, but EBX (the cases' base), ESP
 * and ESI (their index, small) point into the memory the cases use;
 * random flags; random bytes in that memory. */
static void random_state(struct cpu_state *s)
{
    memset(s, 0, sizeof(*s));
    for (int r = 0; r < 8; r++)
        s->gpr[r] = rnd();
    if (rnd() % 4 == 0) /* values where flags change their minds */
        s->gpr[rnd() % 8] = (uint32_t[]){0, 1, 0x7fffffff, 0x80000000,
                                         0xffffffff, 0x80, 0x7f, 0xff}[rnd() %
                                                                      8];
    s->gpr[REG_EBX] = MEM_LO + 0x1000 + (rnd() % 0x800);
    s->gpr[REG_ESP] = MEM_LO + 0x3000 + (rnd() % 0x400) * 4;
    s->gpr[REG_ESI] = rnd() % 64;
    for (int f = 0; f < FLAG_COUNT; f++)
        s->flag[f] = (uint8_t)(f == FLAG_PF ? rnd() : rnd() & 1);
    s->seg_base[SEG_GS] = rnd() % 0x800;
    s->eip = 0x8048000;
    s->mem_base = (uint64_t)(uintptr_t)window;
    for (uint32_t a = 0; a < MEM_SPAN; a += 4) {
        uint32_t v = rnd();
        memcpy(window + MEM_LO + a, &v, 4);
    }
}

struct form_case {
    const char *name;
    uint8_t bytes[16];
    unsigned len;
};

/* i386 encodings, each of one form (checked below: none is generic). */
static const struct form_case cases[] = {
    {"mov eax, ecx", {0x89, 0xc8}, 2},
    {"mov edi, imm", {0xbf, 0x78, 0x56, 0x34, 0x12}, 5},
    {"mov eax, [ebx+8]", {0x8b, 0x43, 0x08}, 3},
    {"mov eax, gs:[ebx+8]", {0x65, 0x8b, 0x43, 0x08}, 4},
    {"mov [ebx+esi*4-4], edx", {0x89, 0x54, 0xb3, 0xfc}, 4},
    {"mov dword [ebx+8], imm", {0xc7, 0x43, 0x08, 0xef, 0xbe, 0xad, 0xde}, 7},
    {"movzx eax, byte [ebx+1]", {0x0f, 0xb6, 0x43, 0x01}, 4},
    {"movzx eax, word [ebx+2]", {0x0f, 0xb7, 0x43, 0x02}, 4},
    {"movsx ecx, byte [ebx+1]", {0x0f, 0xbe, 0x4b, 0x01}, 4},
    {"movsx ecx, word [ebx+2]", {0x0f, 0xbf, 0x4b, 0x02}, 4},
    {"movzx eax, ch", {0x0f, 0xb6, 0xc5}, 3},
    {"movsx eax, dh", {0x0f, 0xbe, 0xc6}, 3},
    {"movsx edx, bl", {0x0f, 0xbe, 0xd3}, 3},
    {"lea eax, [ebx+esi*4+16]", {0x8d, 0x44, 0xb3, 0x10}, 4},
    {"lea ecx, [ebx-1]", {0x8d, 0x4b, 0xff}, 3},
    {"lea eax, gs:[ebx+4]", {0x65, 0x8d, 0x43, 0x04}, 4}, /* (no base: agen) */
    {"push eax", {0x50}, 1},
    {"push esp", {0x54}, 1},
    {"push imm32", {0x68, 0x44, 0x33, 0x22, 0x11}, 5},
    {"push imm8", {0x6a, 0xf0}, 2},
    {"push dword [ebx+4]", {0xff, 0x73, 0x04}, 3},
    {"push dword [esp]", {0xff, 0x34, 0x24}, 3},
    {"pop ecx", {0x59}, 1},
    {"pop esp", {0x5c}, 1},
    {"inc edx", {0x42}, 1},
    {"dec edx", {0x4a}, 1},
    {"add eax, ecx", {0x01, 0xc8}, 2},
    {"sub eax, ecx", {0x29, 0xc8}, 2},
    {"and eax, ecx", {0x21, 0xc8}, 2},
    {"or eax, ecx", {0x09, 0xc8}, 2},
    {"xor eax, eax", {0x31, 0xc0}, 2},
    {"cmp eax, ecx", {0x39, 0xc8}, 2},
    {"test eax, ecx", {0x85, 0xc8}, 2},
    {"add eax, imm8", {0x83, 0xc0, 0x7f}, 3},
    {"sub edx, imm32", {0x81, 0xea, 0x00, 0x00, 0x00, 0x80}, 6},
    {"and eax, imm8", {0x83, 0xe0, 0xf0}, 3},
    {"or eax, imm8", {0x83, 0xc8, 0x01}, 3},
    {"xor eax, imm8", {0x83, 0xf0, 0xff}, 3},
    {"cmp eax, imm8", {0x83, 0xf8, 0x80}, 3},
    {"test edi, imm32", {0xf7, 0xc7, 0x01, 0x00, 0x00, 0x80}, 6},
    {"add eax, [ebx+8]", {0x03, 0x43, 0x08}, 3},
    {"sub eax, [ebx+8]", {0x2b, 0x43, 0x08}, 3},
    {"and eax, [ebx+8]", {0x23, 0x43, 0x08}, 3},
    {"or eax, [ebx+8]", {0x0b, 0x43, 0x08}, 3},
    {"xor eax, [ebx+8]", {0x33, 0x43, 0x08}, 3},
    {"cmp eax, [ebx+8]", {0x3b, 0x43, 0x08}, 3},
    {"add [ebx+8], eax", {0x01, 0x43, 0x08}, 3},
    {"sub [ebx+8], eax", {0x29, 0x43, 0x08}, 3},
    {"and [ebx+8], eax", {0x21, 0x43, 0x08}, 3},
    {"or [ebx+8], eax", {0x09, 0x43, 0x08}, 3},
    {"xor [ebx+8], eax", {0x31, 0x43, 0x08}, 3},
    {"cmp [ebx+8], eax", {0x39, 0x43, 0x08}, 3},
    {"test [ebx+8], eax", {0x85, 0x43, 0x08}, 3},
    {"add dword [ebx+8], imm8", {0x83, 0x43, 0x08, 0x05}, 4},
    {"sub dword [ebx+8], imm8", {0x83, 0x6b, 0x08, 0xfb}, 4},
    {"and dword [ebx+8], imm8", {0x83, 0x63, 0x08, 0x0f}, 4},
    {"or dword [ebx+8], imm8", {0x83, 0x4b, 0x08, 0x80}, 4},
    {"xor dword [ebx+8], imm8", {0x83, 0x73, 0x08, 0x01}, 4},
    {"cmp dword [ebx+8], imm8", {0x83, 0x7b, 0x08, 0x00}, 4},
    {"test dword [ebx+8], imm32",
     {0xf7, 0x43, 0x08, 0xff, 0x00, 0xff, 0x00}, 7},
    {"cmp al, cl", {0x38, 0xc8}, 2},
    {"cmp ah, bh", {0x38, 0xfc}, 2},
    {"cmp al, imm8", {0x3c, 0x80}, 2},
    {"cmp ch, imm8", {0x80, 0xfd, 0x7f}, 3},
    {"cmp byte [ebx+1], al", {0x38, 0x43, 0x01}, 3},
    {"cmp byte [ebx+1], imm8", {0x80, 0x7b, 0x01, 0x2f}, 4},
    {"test al, cl", {0x84, 0xc8}, 2},
    {"test ah, imm8", {0xf6, 0xc4, 0x81}, 3},
    {"test byte [ebx+1], dl", {0x84, 0x53, 0x01}, 3},
    {"test byte [ebx+1], imm8", {0xf6, 0x43, 0x01, 0x40}, 4},
    {"mov byte [ebx+1], ch", {0x88, 0x6b, 0x01}, 3},
    {"mov byte [ebx+1], imm8", {0xc6, 0x43, 0x01, 0x99}, 4},
    {"shl eax, 5", {0xc1, 0xe0, 0x05}, 3},
    {"shl eax, 1", {0xd1, 0xe0}, 2},
    {"shl eax, 0", {0xc1, 0xe0, 0x00}, 3},
    {"shr edx, 31", {0xc1, 0xea, 0x1f}, 3},
    {"shr edx, 1", {0xd1, 0xea}, 2},
    {"sar ecx, 7", {0xc1, 0xf9, 0x07}, 3},
    {"sar ecx, 32 (masked to 0)", {0xc1, 0xf9, 0x20}, 3},
    {"nop", {0x90}, 1},
    {"nop dword [eax+eax]", {0x0f, 0x1f, 0x44, 0x00, 0x00}, 5},
    {"jz", {0x74, 0x05}, 2},
    {"jb", {0x72, 0x05}, 2},
    {"jbe", {0x0f, 0x86, 0x00, 0x01, 0x00, 0x00}, 6},
    {"jl", {0x7c, 0xf0}, 2},
    {"jle", {0x7e, 0x05}, 2},
    {"jp", {0x7a, 0x05}, 2},
    {"jo", {0x70, 0x05}, 2},
    {"js", {0x78, 0x05}, 2},
    {"jnz", {0x75, 0x05}, 2},
    {"jmp rel8", {0xeb, 0x05}, 2},
    {"jmp rel32", {0xe9, 0x00, 0x10, 0x00, 0x00}, 5},
    {"call rel32", {0xe8, 0x10, 0x00, 0x00, 0x00}, 5},
    {"ret", {0xc3}, 1},
};

/* Decode c at s->eip into *in; false when the interpreter refuses it. */
static bool decode(const struct form_case *c, guest_addr_t pc,
                   struct interp_insn *in)
{
    ZydisDecoder dec;
    ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
    ZydisDecodedInstruction i;
    ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, c->bytes, c->len, &i, ops)))
        return false;
    ck_assert_uint_eq(i.length, c->len);
    return interp_decoded(&i, ops, pc, NULL, in);
}

static int run_one(struct cpu_state *s, const struct interp_insn *in)
{
    unsigned ran = 0;
    int r = interp_run(s, in, 1, NULL, &ran);
    ck_assert_uint_eq(ran, 1);
    return r;
}

START_TEST(form_matches_generic)
{
    const struct form_case *c = &cases[_i];
    struct interp_insn fast, generic;
    ck_assert_msg(decode(c, 0x8048000, &fast), "%s: not decoded", c->name);
    ck_assert_msg(fast.form != FORM_GENERIC, "%s: no form", c->name);
    generic = fast;
    generic.form = FORM_GENERIC;
    static uint8_t before[MEM_SPAN], after_fast[MEM_SPAN];
    for (int run = 0; run < RUNS; run++) {
        struct cpu_state s0, s1, s2;
        random_state(&s0);
        memcpy(before, window + MEM_LO, MEM_SPAN);
        s1 = s0;
        int r1 = run_one(&s1, &fast);
        memcpy(after_fast, window + MEM_LO, MEM_SPAN);
        memcpy(window + MEM_LO, before, MEM_SPAN);
        s2 = s0;
        int r2 = run_one(&s2, &generic);
        ck_assert_msg(r1 == r2, "%s, run %d: exit %d, generic %d", c->name,
                      run, r1, r2);
        for (int g = 0; g < 8; g++)
            ck_assert_msg(s1.gpr[g] == s2.gpr[g],
                          "%s, run %d: register %d 0x%x, generic 0x%x",
                          c->name, run, g, s1.gpr[g], s2.gpr[g]);
        for (int f = 0; f < FLAG_COUNT; f++)
            ck_assert_msg(s1.flag[f] == s2.flag[f],
                          "%s, run %d: flag %d %u, generic %u", c->name, run,
                          f, s1.flag[f], s2.flag[f]);
        ck_assert_msg(memcmp(&s1, &s2, sizeof(s1)) == 0,
                      "%s, run %d: CPU states differ", c->name, run);
        ck_assert_msg(memcmp(after_fast, window + MEM_LO, MEM_SPAN) == 0,
                      "%s, run %d: memory differs", c->name, run);
    }
}
END_TEST

/* And the instructions the forms leave alone stay generic: what a form
 * does not cover must not be taken by one. */
START_TEST(others_stay_generic)
{
    static const struct form_case others[] = {
        {"lock add [ebx], eax", {0xf0, 0x01, 0x03}, 3},
        {"add ax, cx", {0x66, 0x01, 0xc8}, 3},
        {"mov al, [ebx]", {0x8a, 0x03}, 2},
        {"cmp al, [ebx]", {0x3a, 0x03}, 2},
        {"shl eax, cl", {0xd3, 0xe0}, 2},
        {"jmp eax", {0xff, 0xe0}, 2},
        {"call [ebx]", {0xff, 0x13}, 2},
        {"ret 8", {0xc2, 0x08, 0x00}, 3},
        {"adc eax, ecx", {0x11, 0xc8}, 2},
        {"imul eax, ecx", {0x0f, 0xaf, 0xc1}, 3},
        {"movzx eax, word [ebx] via 16-bit dest", {0x66, 0x0f, 0xb6, 0x03}, 4},
    };
    for (size_t k = 0; k < sizeof(others) / sizeof(others[0]); k++) {
        struct interp_insn in;
        if (decode(&others[k], 0x8048000, &in))
            ck_assert_msg(in.form == FORM_GENERIC, "%s: form %u",
                          others[k].name, in.form);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("interp_forms");
    TCase *tc = tcase_create("forms");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, form_matches_generic, 0,
                        (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, others_stay_generic);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}

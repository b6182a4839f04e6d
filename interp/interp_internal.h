/* Internal to interp/: the decoded instruction and the executor. */
#ifndef R386_INTERP_INTERNAL_H
#define R386_INTERP_INTERNAL_H

#include <string.h>

#include <Zydis/Zydis.h>

#include "interp.h"

/* An operand as the executor reads it: what Zydis decoded, compacted
 * (decoded blocks are kept, interp.c). */
struct interp_operand {
    uint8_t type;  /* ZydisOperandType */
    uint8_t size;  /* bits (up to 128: SSE moves) */
    uint8_t scale; /* memory: index scale */
    uint8_t gpr;   /* a 32-bit register operand's, or memory's base's enum
                    * cpu_reg; an 8-bit register's INTERP_GPR8 + its index
                    * (AL CL DL BL AH CH DH BH); else INTERP_NO_GPR
                    * (fast.c) */
    uint16_t reg;  /* ZydisRegister: a register operand, or memory's base */
    uint16_t index, segment; /* memory */
    uint8_t index_gpr; /* memory: the index's enum cpu_reg, or INTERP_NO_GPR */
    uint8_t seg;   /* memory: the enum cpu_seg whose base is added (FS, GS),
                    * else INTERP_NO_SEG */
    uint32_t imm;  /* immediate (Zydis's value.u truncated), or memory's
                    * displacement */
};
#define INTERP_NO_GPR 0xff
#define INTERP_GPR8 8
#define INTERP_NO_SEG 0xff

/* Operands kept: the visible ones and the hidden ones after them that the
 * executor reads (a shift's implicit count of 1). */
#define INTERP_MAX_OPS 3

struct interp_insn {
    guest_addr_t pc;
    guest_addr_t target;   /* a relative branch's absolute target */
    uint16_t mnemonic;     /* ZydisMnemonic */
    uint8_t length;
    uint8_t operand_width;
    uint8_t visible;       /* visible operands */
    uint8_t cc;            /* Jcc/SETcc/CMOVcc: the condition, else 0xff */
    uint8_t kind;          /* enum interp_kind */
    bool relative;         /* op[0] is a relative branch target */
    bool ends;             /* the instruction ends a block */
    bool lock;             /* LOCK prefix (read-modify-writes of memory) */
    uint8_t rep;           /* string instructions: enum interp_rep */
    uint16_t seg;          /* string instructions: the source's segment
                            * register; KIND_SEG: the enum cpu_seg moved */
    uint8_t form;          /* enum interp_form: how the executor runs it */
    struct interp_operand op[INTERP_MAX_OPS];
};

/* The forms the executor runs straight from the decoded fields (fast.c):
 * the common instructions whose operands are 32-bit registers, immediates
 * and memory (and a few 8-bit ones), chosen when the instruction is
 * decoded.  They are most of what a program's start runs (a warm `bash -c`
 * interprets ~97% of its instructions in them).  FORM_GENERIC:
 * interp_exec. */
enum interp_form {
    FORM_GENERIC,
    FORM_MOV_RR, FORM_MOV_RI, FORM_MOV_RM, FORM_MOV_MR, FORM_MOV_MI,
    FORM_MOVZX_RM, FORM_MOVSX_RM, FORM_LEA,
    FORM_PUSH_R, FORM_PUSH_I, FORM_PUSH_M, FORM_POP_R,
    FORM_INC_R, FORM_DEC_R,
    /* ADD SUB AND OR XOR CMP TEST, in this order, into a register from a
     * register, an immediate, memory */
    FORM_ALU_RR, FORM_ALU_RI = FORM_ALU_RR + 7, FORM_ALU_RM = FORM_ALU_RI + 7,
    /* ... and into memory from a register, an immediate */
    FORM_ALU_MR = FORM_ALU_RM + 7, FORM_ALU_MI = FORM_ALU_MR + 7,
    /* 8-bit CMP and TEST of a register or memory with a register or an
     * immediate */
    FORM_CMP8_RR = FORM_ALU_MI + 7, FORM_CMP8_RI, FORM_CMP8_MR, FORM_CMP8_MI,
    FORM_TEST8_RR, FORM_TEST8_RI, FORM_TEST8_MR, FORM_TEST8_MI,
    FORM_MOV8_MR, FORM_MOV8_MI, FORM_MOVZX_R8, FORM_MOVSX_R8,
    FORM_SHL_RI, FORM_SHR_RI, FORM_SAR_RI, FORM_NOP,
    FORM_JCC, FORM_JMP, FORM_CALL, FORM_RET
};

enum interp_kind { KIND_PLAIN, KIND_JCC, KIND_SETCC, KIND_CMOVCC,
                   KIND_STRING, KIND_SSE, KIND_SEG };
/* How a string instruction repeats: once, while ECX != 0, and also while
 * ZF is 1 / 0 (lifter/string.c). */
enum interp_rep { REP_NONE, REP_ALL, REP_WHILE_EQ, REP_WHILE_NE };

/* interp_exec's result for an instruction that does not end the block. */
#define INTERP_NEXT (-2)

/* Does the executor take this instruction?  Then compact it into out. */
bool interp_decoded(const ZydisDecodedInstruction *i,
                    const ZydisDecodedOperand *ops, guest_addr_t pc,
                    const struct interp_calls *calls,
                    struct interp_insn *out);

/* Instructions decoded before any of a chunk runs (interp.c). */
#define INTERP_CHUNK 32

/* A decoded chunk as the file of saved ones (saved.c) holds it: the guest
 * bytes it was decoded from, [pc, pc + nbytes), and its n instructions. */
struct interp_saved_chunk {
    guest_addr_t pc;
    uint16_t n, nbytes;
    const uint8_t *bytes;
    const struct interp_insn *insn;
};

/* A chunk's record, as the file of saved chunks holds it (saved.c) and as
 * interp.c keeps the chunks an arena dropped: its guest bytes, padded to 8,
 * then its instructions. */
static inline size_t interp_record_size(unsigned n, unsigned nbytes)
{
    return ((nbytes + (size_t)7) & ~(size_t)7) +
           (size_t)n * sizeof(struct interp_insn);
}

/* c's record at r (interp_record_size bytes, the padding zeroed). */
static inline void interp_record_put(uint8_t *r,
                                     const struct interp_saved_chunk *c)
{
    size_t pad = interp_record_size(0, c->nbytes);
    memcpy(r, c->bytes, c->nbytes);
    memset(r + c->nbytes, 0, pad - c->nbytes);
    memcpy(r + pad, c->insn, c->n * sizeof(struct interp_insn));
}

/* The chunk at pc of n instructions and nbytes guest bytes whose record
 * is at r. */
static inline struct interp_saved_chunk
interp_record_view(guest_addr_t pc, unsigned n, unsigned nbytes,
                   const uint8_t *r)
{
    return (struct interp_saved_chunk){
        pc, (uint16_t)n, (uint16_t)nbytes, r,
        (const struct interp_insn *)(r + interp_record_size(0, nbytes))};
}

struct interp_saved;

/* Map the file at path, written for key, and check its header and index:
 * NULL when there is none, or when it is damaged or of another build or
 * layout (*bad set, the file removed). */
struct interp_saved *interp_saved_open(const char *path, uint64_t key,
                                       bool *bad);
void interp_saved_close(struct interp_saved *s);
/* The saved chunk at pc whose guest bytes are those guest memory holds
 * now (read with fetch, which marks their pages as code), its record
 * checked; false when there is none. */
bool interp_saved_find(struct interp_saved *s, guest_addr_t pc,
                       interp_fetch_fn fetch, void *ctx,
                       struct interp_saved_chunk *out);
/* Up to max of its chunks whose records are sound, into out. */
size_t interp_saved_chunks(struct interp_saved *s,
                           struct interp_saved_chunk *out, size_t max);
/* Records found damaged so far. */
uint64_t interp_saved_damaged(const struct interp_saved *s);
/* Write the n chunks to path (a temporary file renamed into place):
 * 0, or -1. */
int interp_saved_write(const char *path, uint64_t key,
                       const struct interp_saved_chunk *c, size_t n);

/* Execute one instruction interp_decoded took: INTERP_NEXT, or the
 * block's exit (an enum cpu_exit, eip set). */
int interp_exec(struct cpu_state *s, const struct interp_insn *in,
                const struct interp_calls *calls);

/* Fill in the fields the forms read (the operands' gpr, index_gpr, seg)
 * and in->form, from the rest of in (fast.c). */
void interp_form_choose(struct interp_insn *in);

/* Execute up to n instructions from in, storing each one's pc in
 * state->insn_pc first: INTERP_NEXT when all n ran, else the exit of the
 * one that ended the block (*ran: how many ran, that one included). */
int interp_run(struct cpu_state *s, const struct interp_insn *in,
               unsigned n, const struct interp_calls *calls, unsigned *ran);

#endif

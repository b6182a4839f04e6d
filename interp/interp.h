/* interp: the baseline tier.  Runs a guest block's first executions by
 * decoding and interpreting its instructions, so that code which runs only
 * a few times (start-up, initialisation, one-off paths) is never compiled.
 *
 * The interpreter takes the common integer instructions (moves, ALU,
 * shifts, multiplies, branches, calls, returns, int $0x80) with exactly
 * the semantics the lifter gives them -- flags the SDM leaves undefined
 * included -- and works on the same struct cpu_state at instruction
 * boundaries, so a block may be interpreted one time and run translated
 * the next.  A block with any other instruction is left to the JIT whole
 * (INTERP_CANNOT): nothing of it has run.
 *
 * Guest memory is accessed at mem_base + address like translated code;
 * before each instruction the interpreter stores its pc in the state's
 * insn_pc, which names the instruction when an access faults (the
 * dispatcher's host-fault path).  An instruction writes registers and
 * flags only after its last access, so a fault leaves the state at the
 * instruction's start, exactly. */
#ifndef R386_INTERP_H
#define R386_INTERP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "r386/cpu.h"
#include "r386/guest.h"

struct interp;

/* Copies up to max bytes of executable guest memory at pc into buf;
 * returns how many it could. */
typedef size_t (*interp_fetch_fn)(void *ctx, guest_addr_t pc, uint8_t *buf,
                                  size_t max);

/* A counter that changes whenever guest code may have changed, before
 * the change (jit_config.code_epoch); called with the fetch context. */
typedef uint64_t (*interp_epoch_fn)(void *ctx);

/* The runtime's own implementations of the instructions whose effect is
 * the host's or the process's, the functions translated code calls for
 * them (lifter.h's helper ABI): CPUID, RDTSC, and the segment bases after
 * a selector is loaded.  A NULL one leaves its instruction to the JIT. */
struct interp_calls {
    void (*cpuid)(struct cpu_state *s);
    uint64_t (*rdtsc)(struct cpu_state *s);
    void (*load_segs)(struct cpu_state *s);
};

/* threshold: how many times a block pc is interpreted before the
 * dispatcher should have it compiled (interp_count).  Decoded blocks are
 * kept while epoch does not change (NULL: code never changes).  NULL when
 * out of memory or the decoder cannot be set up.  calls may be NULL. */
struct interp *interp_create(unsigned threshold, interp_fetch_fn fetch,
                             interp_epoch_fn epoch, void *fetch_ctx,
                             const struct interp_calls *calls);
void interp_destroy(struct interp *it);

/* Count one more run of the block at pc; returns its runs so far, this
 * one included: up to the threshold the caller should interpret it; past
 * it (threshold + 1, where the count stops, and also when the count
 * table has no room for pc) it is hot and should be compiled.
 * Thread-safe: each count is returned to one caller. */
unsigned interp_count(struct interp *it, guest_addr_t pc);

/* How many runs of the block at pc interp_count has counted (the
 * dispatcher counts blocks only while they have no translation): 0 when
 * none, INTERP_RUNS_UNKNOWN when the table is too crowded at pc to say.
 * Read-only, any thread. */
#define INTERP_RUNS_UNKNOWN (~0u)
unsigned interp_runs(const struct interp *it, guest_addr_t pc);

#define INTERP_CANNOT (-1)

/* Interpret the guest block at state->eip up to and including the
 * instruction that ends it (a branch, call, return, int $0x80), or a
 * bounded number of instructions.  Returns an enum cpu_exit with eip set
 * as a unit would (CPU_EXIT_JUMP: the next block's pc), or INTERP_CANNOT
 * with the state untouched when the block's first instructions include
 * one the interpreter does not take (or cannot be fetched).  Reentrant:
 * any thread, its own state. */
int interp_block(struct interp *it, struct cpu_state *state);

/* Decoded blocks across runs.  A program's start runs the same blocks at
 * every run (its dynamic linker's, its libc's), and decoding them was ~30%
 * of a warm dynamic `true`.  interp_persist_open offers the interpreter
 * the blocks the file at path holds -- written by interp_persist in an
 * earlier run, for the same key -- each used only where guest memory holds
 * the very bytes it was decoded from; interp_persist writes the file again
 * (a temporary file renamed into place) when this run decoded enough new
 * blocks: those of the calling thread and those it dropped when guest code
 * changed, then as many of the file's others as fit.  It returns the
 * blocks written, 0 when it was not worth it, -1 when the file could not
 * be written.  A damaged file or block is ignored (and counted), never
 * run. */
void interp_persist_open(struct interp *it, const char *path, uint64_t key);
int interp_persist(struct interp *it);
/* In a forked child: the blocks the parent decoded are not the child's to
 * write (a shell's children would each write them again). */
void interp_forked(struct interp *it);

struct interp_stats {
    uint64_t blocks;   /* blocks interpreted */
    uint64_t insns;    /* guest instructions interpreted */
    uint64_t refused;  /* blocks left to the JIT */
    uint64_t decoded;  /* chunks of instructions decoded */
    uint64_t reused;   /* chunks taken from the file of saved ones */
    uint64_t damaged;  /* damaged saved files and chunks ignored */
};
void interp_stats_get(struct interp *it, struct interp_stats *out);

#endif

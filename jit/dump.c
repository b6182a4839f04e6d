/* --dump-ir and --dump-asm (jit_config): what a compile made of a unit --
 * its IR after the passes, and the host code generated from it -- on
 * stderr, for every unit or only the one at jit_config.dump_pc, from
 * either tier.  Units loaded from the persistent cache are not compiled
 * in this run, so they are not shown (--no-cache shows them all). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit_internal.h"

/* Does m define the unit at the asked pc?  Units are named u_PC_... (first
 * tier, --aot) and h_PC_... (optimising tier). */
static bool wanted(const struct jit *j, LLVMModuleRef m)
{
    if (!j->cfg.dump_pc_set)
        return true;
    for (LLVMValueRef f = LLVMGetFirstFunction(m); f;
         f = LLVMGetNextFunction(f)) {
        size_t len;
        const char *name = LLVMGetValueName2(f, &len);
        if (LLVMIsDeclaration(f) || len < 11 || name[1] != '_' ||
            (name[0] != 'u' && name[0] != 'h'))
            continue;
        if (strtoul(name + 2, NULL, 16) == j->cfg.dump_pc)
            return true;
    }
    return false;
}

void jit_dump(const struct jit *j, LLVMModuleRef m, LLVMTargetMachineRef tm,
              const char *tier)
{
    if ((!j->cfg.dump_ir && !j->cfg.dump_asm) || !wanted(j, m))
        return;
    flockfile(stderr);
    fprintf(stderr, "; ---- r386 %s ----\n", tier);
    if (j->cfg.dump_ir) {
        char *ir = LLVMPrintModuleToString(m);
        fprintf(stderr, "%s\n", ir);
        LLVMDisposeMessage(ir);
    }
    if (j->cfg.dump_asm) {
        /* Code generation changes the module: a copy goes through it. */
        LLVMModuleRef copy = LLVMCloneModule(m);
        LLVMMemoryBufferRef buf = NULL;
        char *msg = NULL;
        if (LLVMTargetMachineEmitToMemoryBuffer(tm, copy, LLVMAssemblyFile,
                                                &msg, &buf) == 0) {
            fwrite(LLVMGetBufferStart(buf), 1, LLVMGetBufferSize(buf),
                   stderr);
            LLVMDisposeMemoryBuffer(buf);
        } else {
            fprintf(stderr, "; no assembly: %s\n", msg ? msg : "?");
        }
        LLVMDisposeMessage(msg);
        LLVMDisposeModule(copy);
    }
    funlockfile(stderr);
}

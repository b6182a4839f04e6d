/* Instruction class "atomic": not lifted yet -- every instruction here ends
 * its unit with SIGILL.  TODO(issue 3). */
#include "lift_internal.h"

bool lift_atomic(struct lift_ctx *lc)
{
    return false;
}

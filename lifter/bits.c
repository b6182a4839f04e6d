/* Instruction class "bits": not lifted yet -- every instruction here ends
 * its unit with SIGILL.  TODO(issue 3). */
#include "lift_internal.h"

bool lift_bits(struct lift_ctx *lc)
{
    return false;
}

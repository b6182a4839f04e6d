/* The helper table the runtime hands the JIT.  Private to runtime/ (and
 * its tests). */
#ifndef R386_HELPERS_H
#define R386_HELPERS_H

#include <stddef.h>

#include "jit.h"

extern const struct jit_helper runtime_helpers[];
extern const size_t runtime_helper_count;

#endif

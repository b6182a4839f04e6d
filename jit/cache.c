/* The translation cache: a hash table from guest pc to chain cell. */
#include <stdlib.h>

#include "jit_internal.h"

int jit_cache_init(struct jit_cache *c)
{
    c->nbuckets = 4096;
    c->count = 0;
    c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
    return c->buckets ? 0 : -1;
}

void jit_cache_fini(struct jit_cache *c)
{
    for (size_t i = 0; i < c->nbuckets; i++) {
        struct jit_entry *e = c->buckets[i];
        while (e) {
            struct jit_entry *n = e->next;
            free(e->pred);
            free(e);
            e = n;
        }
    }
    free(c->buckets);
    c->buckets = NULL;
}

static size_t hash(guest_addr_t pc, size_t n)
{
    return (size_t)((pc * 0x9e3779b1u) >> 7) & (n - 1);
}

static void grow(struct jit_cache *c)
{
    size_t n = c->nbuckets * 2;
    struct jit_entry **b = calloc(n, sizeof(*b));
    if (!b)
        return; /* keep the longer chains */
    for (size_t i = 0; i < c->nbuckets; i++) {
        struct jit_entry *e = c->buckets[i];
        while (e) {
            struct jit_entry *next = e->next;
            size_t h = hash((guest_addr_t)e->link.pc, n);
            e->next = b[h];
            b[h] = e;
            e = next;
        }
    }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = n;
}

struct jit_entry *jit_cache_find(const struct jit_cache *c, guest_addr_t pc)
{
    for (struct jit_entry *e = c->buckets[hash(pc, c->nbuckets)]; e;
         e = e->next)
        if (e->link.pc == pc)
            return e;
    return NULL;
}

struct jit_entry *jit_cache_get(struct jit_cache *c, guest_addr_t pc)
{
    struct jit_entry *e = jit_cache_find(c, pc);
    if (e)
        return e;
    size_t h = hash(pc, c->nbuckets);
    e = malloc(sizeof(*e));
    if (!e)
        return NULL;
    *e = (struct jit_entry){.link = {.pc = pc}};
    e->next = c->buckets[h];
    c->buckets[h] = e;
    if (++c->count > c->nbuckets)
        grow(c);
    return e;
}

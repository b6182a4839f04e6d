/* Call stacks out: collapsed stacks (--profile-folded, "a;b;c count" per
 * line, as flamegraph.pl, inferno and speedscope read them) and an SVG
 * flame graph (--profile-svg) drawn here, with no script: each frame is a
 * rectangle whose <title> (shown on hover) gives its name, file, samples
 * and share. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile_internal.h"

/* ---- collapsed stacks ---- */

struct folded_line {
    char *text;
    uint64_t count;
};

static int by_text(const void *a, const void *b)
{
    return strcmp(((const struct folded_line *)a)->text,
                  ((const struct folded_line *)b)->text);
}

/* A frame name as the format allows it: no ';' and no line breaks. */
static void put_frame(FILE *f, const char *name)
{
    for (const char *c = name; *c; c++)
        putc_unlocked(*c == ';'                    ? ':'
                      : *c == '\n' || *c == '\r' ? ' '
                                                 : *c,
                      f);
}

static char *stack_text(const struct prof_named *n, const struct prof_stack *st)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return NULL;
    for (unsigned k = 0; k < st->n; k++) {
        if (k)
            fputc(';', m);
        put_frame(m, n->funcs[st->func[k]].name);
    }
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

int profile_write_folded(const struct prof_named *n, FILE *f)
{
    struct folded_line *l = calloc(n->nstacks + 1, sizeof(*l));
    if (!l)
        return -ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n->nstacks; i++) {
        l[k].text = stack_text(n, &n->stacks[i]);
        l[k].count = n->stacks[i].count;
        if (l[k].text)
            k++;
    }
    /* Different pcs, same functions: one line. */
    qsort(l, k, sizeof(*l), by_text);
    for (size_t i = 0; i < k;) {
        uint64_t c = 0;
        size_t j = i;
        for (; j < k && strcmp(l[j].text, l[i].text) == 0; j++)
            c += l[j].count;
        fprintf(f, "%s %llu\n", l[i].text, (unsigned long long)c);
        i = j;
    }
    for (size_t i = 0; i < k; i++)
        free(l[i].text);
    free(l);
    return ferror(f) ? -EIO : 0;
}

/* ---- SVG flame graph ---- */

#define SVG_WIDTH 1200.0
#define SVG_PAD 10.0
#define SVG_ROW 16
#define SVG_TOP 40 /* the title */
#define SVG_CHAR_PX 6.6 /* average glyph width at 11px monospace */

struct node {
    unsigned func;
    uint64_t count;
    struct node *child, *next;
};

static struct node *child_of(struct node *parent, unsigned func)
{
    for (struct node *c = parent->child; c; c = c->next)
        if (c->func == func)
            return c;
    struct node *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->func = func;
    c->next = parent->child;
    parent->child = c;
    return c;
}

static void free_tree(struct node *t)
{
    while (t) {
        struct node *next = t->next;
        free_tree(t->child);
        free(t);
        t = next;
    }
}

static unsigned tree_depth(const struct node *t)
{
    unsigned d = 0;
    for (const struct node *c = t->child; c; c = c->next) {
        unsigned cd = tree_depth(c);
        if (cd > d)
            d = cd;
    }
    return d + 1;
}

static void put_xml(FILE *f, const char *s, size_t max)
{
    for (size_t i = 0; s[i] && i < max; i++) {
        switch (s[i]) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            putc_unlocked((unsigned char)s[i] < 0x20 ? ' ' : s[i], f);
        }
    }
}

/* A warm colour that stays the same for a name from run to run; r386's
 * own frames grey. */
static void frame_color(const char *name, char *buf, size_t len)
{
    if (name[0] == '[') {
        snprintf(buf, len, "rgb(180,180,190)");
        return;
    }
    uint32_t h = 2166136261u;
    for (const char *c = name; *c; c++)
        h = (h ^ (uint8_t)*c) * 16777619u;
    snprintf(buf, len, "rgb(%u,%u,%u)", 205 + (h % 50), 80 + ((h >> 8) % 130),
             ((h >> 16) % 55));
}

struct svg_ctx {
    FILE *f;
    const struct prof_named *n;
    double scale; /* pixels per sample */
    unsigned height;
};

static const struct prof_named *sort_named;

static int by_name(const void *a, const void *b)
{
    const struct node *x = *(struct node *const *)a;
    const struct node *y = *(struct node *const *)b;
    return strcmp(sort_named->funcs[x->func].name,
                  sort_named->funcs[y->func].name);
}

static void draw(struct svg_ctx *c, const struct node *t, const char *name,
                 const char *file, double x, unsigned depth)
{
    double w = (double)t->count * c->scale;
    if (w < 0.1)
        return;
    double y = c->height - SVG_PAD - (depth + 1) * SVG_ROW;
    char color[32];
    frame_color(name, color, sizeof(color));
    fprintf(c->f, "<g><title>");
    put_xml(c->f, name, 4096);
    if (file && *file) {
        fputs(" (", c->f);
        put_xml(c->f, file, 4096);
        fputs(")", c->f);
    }
    fprintf(c->f, ": %llu samples, %.2f%%</title>",
            (unsigned long long)t->count,
            c->n->total ? 100.0 * (double)t->count / (double)c->n->total : 0);
    fprintf(c->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
                  "fill=\"%s\" rx=\"2\"/>",
            x, y, w, SVG_ROW - 1, color);
    size_t fits = (size_t)((w - 6) / SVG_CHAR_PX);
    if (fits >= 3) {
        fprintf(c->f, "<text x=\"%.1f\" y=\"%.1f\">", x + 3, y + 11.5);
        size_t len = strlen(name);
        if (len <= fits) {
            put_xml(c->f, name, len);
        } else {
            put_xml(c->f, name, fits - 2);
            fputs("..", c->f);
        }
        fputs("</text>", c->f);
    }
    fputs("</g>\n", c->f);

    size_t nchild = 0;
    for (const struct node *k = t->child; k; k = k->next)
        nchild++;
    const struct node **kids = malloc((nchild + 1) * sizeof(*kids));
    if (!kids)
        return;
    nchild = 0;
    for (const struct node *k = t->child; k; k = k->next)
        kids[nchild++] = k;
    sort_named = c->n; /* writing is single-threaded */
    qsort(kids, nchild, sizeof(*kids), by_name);
    for (size_t i = 0; i < nchild; i++) {
        const struct prof_func *fn = &c->n->funcs[kids[i]->func];
        draw(c, kids[i], fn->name, fn->file, x, depth + 1);
        x += (double)kids[i]->count * c->scale;
    }
    free(kids);
}

int profile_write_svg(const struct prof_named *n, FILE *f)
{
    struct node root = {0};
    for (size_t i = 0; i < n->nstacks; i++) {
        const struct prof_stack *st = &n->stacks[i];
        root.count += st->count;
        struct node *t = &root;
        for (unsigned k = 0; k < st->n && t; k++) {
            t = child_of(t, st->func[k]);
            if (t)
                t->count += st->count;
        }
    }
    struct svg_ctx c = {f, n, 0, 0};
    c.height = SVG_TOP + tree_depth(&root) * SVG_ROW + 2 * (unsigned)SVG_PAD;
    c.scale = root.count ? (SVG_WIDTH - 2 * SVG_PAD) / (double)root.count : 0;
    fprintf(f,
            "<?xml version=\"1.0\" standalone=\"no\"?>\n"
            "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" "
            "width=\"%.0f\" height=\"%u\" viewBox=\"0 0 %.0f %u\">\n"
            "<style>text { font-family: monospace; font-size: 11px; "
            "fill: #000; pointer-events: none; } "
            "rect:hover { stroke: #000; stroke-width: 0.5; }</style>\n"
            "<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" "
            "fill=\"#f8f8f0\"/>\n"
            "<text x=\"%.0f\" y=\"24\" text-anchor=\"middle\" "
            "style=\"font-size:16px\">r386 guest flame graph "
            "(%llu samples; hover a frame for its share)</text>\n",
            SVG_WIDTH, c.height, SVG_WIDTH, c.height, SVG_WIDTH / 2,
            (unsigned long long)n->total);
    if (root.count)
        draw(&c, &root, "all", NULL, SVG_PAD, 0);
    fputs("</svg>\n", f);
    free_tree(root.child);
    return ferror(f) ? -EIO : 0;
}

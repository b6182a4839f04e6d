# variants.sh: sourced by the cli tests of caches that must notice a binary
# changed on disk with its path, size and modification time kept (set tmp
# and fail() first).  variants: $tmp/v3 and $tmp/v5, static programs of one
# size whose noinline f runs once and differs in one constant (v3 prints
# 124, v5 206).  install_variant N: $tmp/v is vN, dated 2020-01-01.
variants() {
    cat >"$tmp/v.c" <<'EOC'
#include <stdio.h>
__attribute__((noinline)) int f(int x) { return x * VALUE + 1; }
int main(int argc, char **argv) { (void)argv; printf("%d\n", f(argc + 40)); return 0; }
EOC
    gcc -m32 -O1 -static -DVALUE=3 -o "$tmp/v3" "$tmp/v.c" || fail "gcc -m32"
    gcc -m32 -O1 -static -DVALUE=5 -o "$tmp/v5" "$tmp/v.c" || fail "gcc -m32"
    [ "$(stat -c %s "$tmp/v3")" = "$(stat -c %s "$tmp/v5")" ] || fail "variants differ in size"
}
install_variant() {
    cp "$tmp/v$1" "$tmp/v"
    touch -d '2020-01-01 00:00:00' "$tmp/v"
}

# Workloads of the integration suite, sourced by run.sh.
#
# in_NAME (optional) creates the inputs in the current directory with host
# tools; wl_NAME runs the workload there, calling guest programs with
# `g /path/in/sysroot ARGS...`.  Everything a workload prints and every file
# it leaves behind is compared between qemu-i386 and r386.  Inputs are
# deterministic, so the expected results are whatever an i386 Linux gives.
# shellcheck shell=sh

# text FILE MBYTES: lines of words and numbers, a few MB of them.
text() {
    awk -v bytes=$(($2 << 20)) 'BEGIN {
        srand(7); n = 0
        while (n < bytes) {
            line = sprintf("%d %s %x word%d\n", NR++, "lorem ipsum dolor",
                           int(rand() * 1e9), int(rand() * 1000))
            printf "%s", line; n += length(line) } }' >"$1"
}

# binary FILE KBYTES: incompressible bytes.
binary() {
    LC_ALL=C awk -v n=$(($2 * 1024)) 'BEGIN { srand(3)
        for (i = 0; i < n; i++) printf "%c", int(rand() * 256) }' >"$1"
}

here_dir=$(cd "$(dirname "$0")" && pwd)

# bzip2 -9 round trip of 4 MB of text and of binary data; test mode; errors.
in_bzip2() { text text 4; binary bin 256; }
wl_bzip2() {
    g /bin/bzip2 -9 -k text
    g /bin/bzip2 -d -c text.bz2 >text.back
    cmp text text.back && echo "text round trip ok"
    g /bin/bzip2 -9 <bin >bin.bz2
    g /bin/bzip2 -d <bin.bz2 | cmp - bin && echo "binary round trip ok"
    g /bin/bzip2 -tv text.bz2 2>&1
    head -c 1000 text.bz2 >cut.bz2
    g /bin/bzip2 -t cut.bz2; echo "truncated: $?"
    g /bin/bzip2 -d missing.bz2; echo "missing: $?"
}

# gzip -9 -n (no name or time stamp in the header) and back.
in_gzip() { text text 4; binary bin 256; }
wl_gzip() {
    g /bin/gzip -9 -n <text >text.gz
    g /bin/gzip -d -c text.gz >text.back
    cmp text text.back && echo "text round trip ok"
    g /bin/gzip -1 <bin | g /bin/gzip -d | cmp - bin && echo "binary round trip ok"
    g /bin/gzip -l text.gz
    g /bin/gzip -t text.gz && echo "test ok"
    printf 'not gzip data' >bad.gz
    g /bin/gzip -t bad.gz; echo "bad: $?"
}

# xz -6 on 2 MB (single-threaded, as Debian's default).
in_xz() { text text 2; }
wl_xz() {
    g /usr/bin/xz -6 -k text
    g /usr/bin/xz -d -c text.xz | cmp - text && echo "round trip ok"
    g /usr/bin/xz -l text.xz
    g /usr/bin/xz -t text.xz && echo "test ok"
}

# Lua 5.4: tables, strings, closures, coroutines, floating point, files.
in_lua() { cp "$here_dir/lua/"*.lua .; }
wl_lua() {
    g /usr/bin/lua5.4 work.lua 200
    g /usr/bin/lua5.4 nbody.lua 20000
    g /usr/bin/lua5.4 -e 'error("boom")'; echo "error: $?"
    g /usr/bin/lua5.4 -e 'os.exit(7)'; echo "exit: $?"
    echo 'print(("x"):rep(3), 2^0.5)' | g /usr/bin/lua5.4 -
}

# SQLite: a 50k-row table built, indexed, aggregated and saved; queried
# again from the file by a second process; an error.
in_sqlite() { cp "$here_dir/sqlite/"*.sql .; }
wl_sqlite() {
    g /usr/bin/sqlite3 rows.db <build.sql
    g /usr/bin/sqlite3 -header -column rows.db <query.sql
    g /usr/bin/sqlite3 rows.db 'PRAGMA integrity_check; SELECT count(*) FROM t;'
    g /usr/bin/sqlite3 rows.db 'SELECT nope FROM t;'; echo "error: $?"
}

# busybox (static) sh: a script with pipes, redirections, functions, loops.
in_busybox_sh() { text text 1; cp "$here_dir/shell/script.sh" .; }
wl_busybox_sh() { g /bin/busybox sh script.sh; }

# bash (dynamic) running coreutils, perl, gawk... found through PATH: every
# program it executes is an i386 one from the sysroot.
in_bash() { cp "$here_dir/shell/bash.sh" .; }
wl_bash() { g /bin/bash bash.sh; }

# OpenSSL: digests, ciphers (with a decryption round trip) and an HMAC on
# 2 MB, first on the code paths OpenSSL picks from CPUID (SSSE3 and SSE2
# assembly), then with SSE2 and SSSE3 masked off (its MMX and plain x86
# paths).  The results are the same whichever path runs.
in_openssl() { text data 2; }
wl_openssl() {
    key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
    iv=0f0e0d0c0b0a09080706050403020100
    for caps in "" "~0x20004000000"; do
        G_ENV=${caps:+OPENSSL_ia32cap=$caps}
        tag=${caps:+nosse}
        for d in sha1 sha256 sha512; do
            g /usr/bin/openssl dgst -$d -out "dgst$tag.$d" data
        done
        g /usr/bin/openssl enc -aes-256-cbc -K $key -iv $iv -in data \
            -out "aes$tag"
        g /usr/bin/openssl enc -chacha20 -K $key -iv 0 -in data -out "chacha$tag"
    done
    G_ENV=
    g /usr/bin/openssl enc -d -aes-256-cbc -K $key -iv $iv -in aes -out back
    cmp data back && echo "aes round trip ok"
    g /usr/bin/openssl mac -digest SHA256 -macopt hexkey:00112233 -in data HMAC
    g /usr/bin/openssl enc -aes-256-cbc -K nothex -iv $iv -in data; echo "bad key: $?"
}

# The dynamic linker: --list, running a program through it explicitly,
# LD_LIBRARY_PATH, and a missing library.
wl_ldso() {
    g /lib/ld-linux.so.2 --list /usr/bin/lua5.4 | sed 's/ (0x[0-9a-f]*)$//'
    g /lib/ld-linux.so.2 /usr/bin/lua5.4 -e 'print("via ld.so", 1/3)'
    G_ENV="LD_LIBRARY_PATH=/nonexistent:/lib/i386-linux-gnu" \
        g /usr/bin/lua5.4 -e 'print("with LD_LIBRARY_PATH")'
    G_ENV="LD_PRELOAD=/nonexistent/libx.so" \
        g /usr/bin/lua5.4 -e 'print("with a bad LD_PRELOAD")' 2>&1 |
        sed 's/^[^:]*: //'
}

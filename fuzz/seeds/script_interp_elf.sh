#!/lib/ld-linux.so.2

/* gen_random_elf SEED > FILE: a static i386 ELF program whose 4 KiB of
 * code are pseudo-random bytes from SEED (deterministic), with a writable,
 * executable segment around it.  Running it under r386 must end in a guest
 * signal or a guest exit -- never in a crash of r386 itself. */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SEED\n", argv[0]);
        return 2;
    }
    uint32_t x = (uint32_t)strtoul(argv[1], NULL, 0) * 2654435761u + 1;
    static unsigned char buf[0x2000];
    Elf32_Ehdr *eh = (Elf32_Ehdr *)buf;
    Elf32_Phdr *ph = (Elf32_Phdr *)(buf + sizeof(*eh));
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS32;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_386;
    eh->e_version = EV_CURRENT;
    eh->e_entry = 0x08049000;
    eh->e_phoff = sizeof(*eh);
    eh->e_ehsize = sizeof(*eh);
    eh->e_phentsize = sizeof(*ph);
    eh->e_phnum = 1;
    ph->p_type = PT_LOAD;
    ph->p_vaddr = 0x08048000;
    ph->p_filesz = sizeof(buf);
    ph->p_memsz = sizeof(buf) + 0x10000;
    ph->p_flags = PF_R | PF_W | PF_X;
    ph->p_align = 0x1000;
    for (size_t i = 0x1000; i < sizeof(buf); i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (unsigned char)x;
    }
    return fwrite(buf, 1, sizeof(buf), stdout) == sizeof(buf) ? 0 : 1;
}

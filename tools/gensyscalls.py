#!/usr/bin/env python3
"""Generate the syscall numbers, kernel dispatch table and user stubs.

Usage: gensyscalls.py kern/syscalls.master OUTDIR

One table (kern/syscalls.master) is the single source of truth; this script
writes OUTDIR/aqua/syscall.h, OUTDIR/sysent.c and OUTDIR/usys.S.  The stubs
use the SYSCALL(name, number) macro that each architecture defines in
user/arch/<arch>/syscall.h, so the generated file is the same for all.
"""
import os
import sys


def parse(path):
    calls = []
    for lineno, line in enumerate(open(path), 1):
        line = line.split('#', 1)[0].strip() if line.lstrip().startswith('#') else line.strip()
        if not line:
            continue
        fields = line.split(None, 3)
        if len(fields) < 3:
            sys.exit(f"{path}:{lineno}: expected 'number name nargs [prototype]'")
        num, name, nargs = int(fields[0]), fields[1], int(fields[2])
        proto = fields[3] if len(fields) > 3 else ''
        if any(c[0] == num or c[1] == name for c in calls):
            sys.exit(f"{path}:{lineno}: duplicate number or name {num} {name}")
        calls.append((num, name, nargs, proto))
    return calls


def write(path, text):
    # Only rewrite on change, so make does not rebuild everything each time.
    if os.path.exists(path) and open(path).read() == text:
        return
    with open(path, 'w') as f:
        f.write(text)


def main():
    master, out = sys.argv[1], sys.argv[2]
    calls = parse(master)
    os.makedirs(os.path.join(out, 'aqua'), exist_ok=True)
    hdr = ['/* Generated from kern/syscalls.master by tools/gensyscalls.py. Do not edit. */',
           '#ifndef AQUA_SYSCALL_H', '#define AQUA_SYSCALL_H', '']
    for num, name, _, proto in calls:
        hdr.append(f'#define SYS_{name:<16} {num:3d}\t/* {proto} */')
    hdr += ['', f'#define SYS_MAXSYSCALL {max(c[0] for c in calls) + 1}', '', '#endif', '']
    write(os.path.join(out, 'aqua', 'syscall.h'), '\n'.join(hdr))

    src = ['/* Generated from kern/syscalls.master by tools/gensyscalls.py. Do not edit. */',
           '#include "types.h"', '#include "syscall.h"', '']
    for _, name, _, _ in calls:
        src.append(f'int sys_{name}(struct proc *, const register_t *, register_t *);')
    src += ['', 'const struct sysent sysent[SYS_MAXSYSCALL] = {']
    for num, name, nargs, _ in calls:
        src.append(f'\t[SYS_{name}] = {{ sys_{name}, "{name}", {nargs} }},')
    src += ['};', '']
    write(os.path.join(out, 'sysent.c'), '\n'.join(src))

    stubs = ['/* Generated from kern/syscalls.master by tools/gensyscalls.py. Do not edit. */',
             '#include <aqua/syscall.h>', '#include "syscall.h"', '']
    for num, name, _, _ in calls:
        stubs.append(f'SYSCALL({name}, SYS_{name})')
    stubs.append('')
    write(os.path.join(out, 'usys.S'), '\n'.join(stubs))


if __name__ == '__main__':
    main()

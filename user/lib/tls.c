/*
 * Thread-local storage: the blocks behind `__thread' (<tls.h>).
 *
 * The linker left the program's TLS template in .tdata/.tbss and told us
 * its place and size (user/user.ld): __tls_template, __tls_filesz bytes of
 * initial values, __tls_memsz bytes in all (the rest starts as zeros),
 * aligned to __tls_align.  It also fixed every __thread variable's offset
 * from the thread pointer, so a block must be laid out exactly as the
 * port's ABI says (<machine/tcb.h>; see <tls.h> for the picture).  There
 * are two ways, ELF's TLS variants:
 *
 *   II (x86_64): the variables end at the thread pointer: they start
 *     round_up(memsz, align) bytes below it (that is the offset ld used),
 *     and the thread pointer is aligned to align.  At the thread pointer
 *     is the TCB, whose first word holds its own address.
 *   I (RISC-V, without a TCB): the variables start at the thread pointer,
 *     aligned to align.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <tls.h>
#include <machine/tcb.h>		/* TLS_VARIANT, TCB_SIZE, TCB_ALIGN */

/* Linker symbols (user/user.ld): their *addresses* are the values. */
extern char __tls_template[], __tls_filesz[], __tls_memsz[], __tls_align[];

#define TLS_FILESZ	((size_t)(uintptr_t)__tls_filesz)
#define TLS_MEMSZ	((size_t)(uintptr_t)__tls_memsz)
#define TLS_ALIGN	((size_t)(uintptr_t)__tls_align)

static size_t
roundup(size_t n, size_t align)
{
	return (n + align - 1) & ~(align - 1);
}

static size_t
block_align(void)
{
	return TLS_ALIGN > TCB_ALIGN ? TLS_ALIGN : TCB_ALIGN;
}

size_t
__tls_size(void)
{
	return block_align() - 1 + roundup(TLS_MEMSZ, TLS_ALIGN) + TCB_SIZE;
}

void *
__tls_init(void *mem)
{
	size_t align = block_align(), vars = roundup(TLS_MEMSZ, TLS_ALIGN);
	uintptr_t m = (uintptr_t)mem;
	char *start, *tp;

#if TLS_VARIANT == 2
	tp = (char *)roundup(m + vars, align);
	start = tp - vars;
	((void **)tp)[0] = tp;		/* the TCB's self pointer */
	((void **)tp)[1] = NULL;
#elif TLS_VARIANT == 1
	start = tp = (char *)roundup(m, align);
#else
#error "<machine/tcb.h>: TLS_VARIANT is 1 or 2"
#endif
	memcpy(start, __tls_template, TLS_FILESZ);
	memset(start + TLS_FILESZ, 0, vars - TLS_FILESZ);
	return tp;
}

/*
 * The main thread's block, made by crt0 before main().  Nothing may touch
 * a __thread variable (errno!) before this is done, so no malloc here: a
 * static buffer serves every ordinary program, sbrk the rare big one.
 */
#define MAIN_TLS_STATIC	512
static char main_tls[MAIN_TLS_STATIC] __attribute__((aligned(64)));

void
__libc_init_tls(void)
{
	size_t need = __tls_size();
	void *mem = main_tls;

	if (need > sizeof(main_tls)) {
		mem = sbrk((intptr_t)need);
		if (mem == (void *)-1) {
			/* errno has nowhere to go yet: say it and give up. */
			static const char msg[] = "crt0: no memory for thread-local storage\n";
			write(2, msg, sizeof(msg) - 1);
			_exit(127);
		}
	}
	__set_tcb(__tls_init(mem));
}

/*
 * Calls into the Supervisor Binary Interface (OpenSBI, running in M-mode).
 *
 * An SBI call is an `ecall' from S-mode: extension id in a7, function id
 * in a6, arguments in a0..a5; OpenSBI answers with an error code in a0
 * and a value in a1.  Extensions used (SBI spec v1.0+):
 *   TIME   0x54494D45  set_timer                           (FID 0)
 *   sPI    0x735049    send_ipi                            (FID 0)
 *   RFENCE 0x52464E43  remote_sfence_vma                   (FID 1)
 *   HSM    0x48534D    hart_start (FID 0), hart_get_status (FID 2)
 *   SRST   0x53525354  system_reset                        (FID 0)
 *   legacy console_putchar, EID 1 (last-resort output only)
 */
#include "riscv.h"

#define SBI_EXT_TIME	0x54494D45
#define SBI_EXT_IPI	0x735049
#define SBI_EXT_RFENCE	0x52464E43
#define SBI_EXT_HSM	0x48534D
#define SBI_EXT_SRST	0x53525354
#define SBI_LEGACY_PUTCHAR 1

struct sbiret
sbi_call(long eid, long fid, unsigned long a0, unsigned long a1,
	 unsigned long a2, unsigned long a3)
{
	register unsigned long r_a0 __asm__("a0") = a0;
	register unsigned long r_a1 __asm__("a1") = a1;
	register unsigned long r_a2 __asm__("a2") = a2;
	register unsigned long r_a3 __asm__("a3") = a3;
	register unsigned long r_a6 __asm__("a6") = fid;
	register unsigned long r_a7 __asm__("a7") = eid;
	struct sbiret ret;

	__asm__ volatile("ecall"
	    : "+r"(r_a0), "+r"(r_a1)
	    : "r"(r_a2), "r"(r_a3), "r"(r_a6), "r"(r_a7)
	    : "memory");
	ret.error = r_a0;
	ret.value = r_a1;
	return ret;
}

/* Ask for a timer interrupt once the `time' CSR reaches `when'. */
void
sbi_set_timer(uint64_t when)
{
	sbi_call(SBI_EXT_TIME, 0, when, 0, 0, 0);
}

/* Start a stopped hart at physical `start' in S-mode, a0 = hartid, a1 = opaque. */
int
sbi_hart_start(unsigned long hartid, paddr_t start, unsigned long opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, hartid, start, opaque, 0).error;
}

/* The HSM state of a hart (SBI_HSM_* in riscv.h), or a negative SBI error. */
long
sbi_hart_get_status(unsigned long hartid)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, 2, hartid, 0, 0, 0);

	return r.error != 0 ? r.error : r.value;
}

/* Raise a supervisor software interrupt on one hart (hart_mask = 1 << 0 from base). */
void
sbi_send_ipi(unsigned long hartid)
{
	sbi_call(SBI_EXT_IPI, 0, 1, hartid, 0, 0);
}

/*
 * Make another hart execute sfence.vma for [va, va+len).  OpenSBI returns
 * only once the target hart has done it, so when this returns the hart no
 * longer holds a stale translation.  len == 0 with va == 0 means all.
 */
void
sbi_remote_sfence_vma(unsigned long hartid, vaddr_t va, size_t len)
{
	sbi_call(SBI_EXT_RFENCE, 1, 1, hartid, va, len);
}

/* Shut the machine down; QEMU's virt machine exits (always with status 0). */
void
sbi_system_reset(int failure)
{
	sbi_call(SBI_EXT_SRST, 0, 0 /* shutdown */, failure ? 1 : 0, 0, 0);
}

void
sbi_console_putchar(int c)
{
	sbi_call(SBI_LEGACY_PUTCHAR, 0, c, 0, 0, 0);
}

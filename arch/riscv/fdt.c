/*
 * A small reader for the flattened device tree (devicetree.org spec,
 * "DTB format") that OpenSBI passes in a1.  We take from it only what
 * varies with the QEMU command line:
 *   /memory@...  reg                  RAM base and size (-m)
 *   /cpus/cpu@N  reg                  hart ids (-smp), in tree order
 *   /cpus        timebase-frequency   ticks per second of the `time' CSR
 *   /chosen      bootargs             the kernel command line (-append)
 * Device addresses (UART, PLIC, virtio-mmio, test finisher) are fixed by
 * QEMU's virt machine and are constants in riscv.h.
 *
 * The blob is big-endian.  It is a header, then a "structure block" of
 * 32-bit tokens (BEGIN_NODE name, PROP len nameoff value, END_NODE, NOP,
 * END), each item padded to 4 bytes, and a "strings block" that holds the
 * property names.
 */
#include "riscv.h"
#include "systm.h"

#define FDT_MAGIC	0xd00dfeed
#define FDT_BEGIN_NODE	1
#define FDT_END_NODE	2
#define FDT_PROP	3
#define FDT_NOP		4
#define FDT_END		9

struct fdt_header {
	uint32_t magic, totalsize, off_dt_struct, off_dt_strings;
	uint32_t off_mem_rsvmap, version, last_comp_version;
	uint32_t boot_cpuid_phys, size_dt_strings, size_dt_struct;
};

static uint32_t
be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* A cell array value: n cells (1 or 2) as one number. */
static uint64_t
cells(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0) {
		v = v << 32 | be32(p);
		p += 4;
	}
	return v;
}

static int
startswith(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return 0;
	return 1;
}

int
fdt_parse(paddr_t dtb, struct fdt_info *fi)
{
	const uint8_t *base = PHYS_TO_KVA(dtb);
	const struct fdt_header *h = (const void *)base;
	const uint8_t *p, *end, *strings;
	/*
	 * The path we are in, as far as we care: depth 1 is a child of the
	 * root, depth 2 a grandchild.  We only need to know whether we are in
	 * /memory*, /cpus, /cpus/cpu@*, or /chosen.
	 */
	int depth = 0;
	enum { N_OTHER, N_MEMORY, N_CPUS, N_CPU, N_CHOSEN } at[8] = { N_OTHER };
	int root_addr_cells = 2, root_size_cells = 1, cpu_addr_cells = 1;
	int cpu_okay;
	unsigned long cpu_reg;

	memset(fi, 0, sizeof(*fi));
	if (be32(&h->magic) != FDT_MAGIC)
		return -1;
	fi->dtb_start = dtb;
	fi->dtb_end = dtb + be32(&h->totalsize);
	p = base + be32(&h->off_dt_struct);
	end = p + be32(&h->size_dt_struct);
	strings = base + be32(&h->off_dt_strings);
	cpu_okay = 1;
	cpu_reg = 0;

	while (p < end) {
		uint32_t tok = be32(p);
		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			int kind = N_OTHER;

			p += ((strlen(name) + 1 + 3) & ~3UL);
			depth++;
			if (depth == 2 && startswith(name, "memory"))
				kind = N_MEMORY;
			else if (depth == 2 && strcmp(name, "cpus") == 0)
				kind = N_CPUS;
			else if (depth == 2 && strcmp(name, "chosen") == 0)
				kind = N_CHOSEN;
			else if (depth == 3 && at[2] == N_CPUS && startswith(name, "cpu@")) {
				kind = N_CPU;
				cpu_okay = 1;
				cpu_reg = ~0UL;
			}
			if (depth < (int)nitems(at))
				at[depth] = kind;
		} else if (tok == FDT_END_NODE) {
			if (depth < (int)nitems(at) && at[depth] == N_CPU &&
			    cpu_okay && cpu_reg != ~0UL && fi->nharts < FDT_MAXHARTS)
				fi->hartids[fi->nharts++] = cpu_reg;
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len = be32(p);
			const char *pname = (const char *)strings + be32(p + 4);
			const uint8_t *val = p + 8;
			int kind = depth < (int)nitems(at) ? at[depth] : N_OTHER;

			p += 8 + ((len + 3) & ~3U);
			if (depth == 1 && strcmp(pname, "#address-cells") == 0)
				root_addr_cells = be32(val);
			else if (depth == 1 && strcmp(pname, "#size-cells") == 0)
				root_size_cells = be32(val);
			else if (kind == N_MEMORY && strcmp(pname, "reg") == 0 &&
			    fi->mem_end == 0 &&
			    len >= 4U * (root_addr_cells + root_size_cells)) {
				fi->mem_start = cells(val, root_addr_cells);
				fi->mem_end = fi->mem_start +
				    cells(val + 4 * root_addr_cells, root_size_cells);
			} else if (kind == N_CPUS && strcmp(pname, "#address-cells") == 0)
				cpu_addr_cells = be32(val);
			else if (kind == N_CPUS && strcmp(pname, "timebase-frequency") == 0)
				fi->timebase_hz = cells(val, len >= 8 ? 2 : 1);
			else if (kind == N_CPU && strcmp(pname, "reg") == 0)
				cpu_reg = cells(val, cpu_addr_cells);
			else if (kind == N_CPU && strcmp(pname, "status") == 0)
				cpu_okay = strcmp((const char *)val, "okay") == 0 ||
				    strcmp((const char *)val, "ok") == 0;
			else if (kind == N_CHOSEN && strcmp(pname, "bootargs") == 0)
				fi->bootargs = (const char *)val;
		} else if (tok == FDT_NOP) {
			continue;
		} else if (tok == FDT_END) {
			break;
		} else {
			return -1;		/* corrupt blob */
		}
	}
	return fi->mem_end > fi->mem_start ? 0 : -1;
}

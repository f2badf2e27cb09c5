/*
 * acpi.c: find the CPUs and the IOAPIC in the ACPI MADT.
 *
 * The RSDP ("RSD PTR ") is given by the PVH start info, or found on a
 * 16-byte boundary in the BIOS area 0xe0000-0xfffff.  It points at the
 * RSDT (32-bit table addresses) or, from ACPI 2.0, the XSDT (64-bit).
 * The MADT (signature "APIC") lists one entry per local APIC (type 0),
 * per IOAPIC (type 1) and per ISA interrupt that is not wired 1:1 to an
 * IOAPIC pin (type 2, "interrupt source override").
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "x86.h"

struct acpi_rsdp {
	char		signature[8];
	uint8_t		checksum;
	char		oemid[6];
	uint8_t		revision;
	uint32_t	rsdt;
	uint32_t	length;		/* revision >= 2 from here */
	uint64_t	xsdt;
	uint8_t		xchecksum;
	uint8_t		reserved[3];
} __attribute__((packed));

struct acpi_header {
	char		signature[4];
	uint32_t	length;
	uint8_t		revision;
	uint8_t		checksum;
	char		oemid[6];
	char		oemtable[8];
	uint32_t	oemrevision;
	uint32_t	creator;
	uint32_t	creatorrev;
} __attribute__((packed));

struct acpi_madt {
	struct acpi_header hdr;
	uint32_t	lapic;		/* physical address of the local APICs */
	uint32_t	flags;
	uint8_t		entries[];
} __attribute__((packed));

#define MADT_LAPIC	0
#define MADT_IOAPIC	1
#define MADT_ISO	2
#define MADT_LAPIC_ADDR	5

uint32_t cpu_apicids[MAXCPUS];
uint16_t acpi_pm1a_cnt;			/* PM1a control port, from the FADT */
paddr_t ioapic_pa = 0xfec00000;
paddr_t lapic_pa = 0xfee00000;

/* Interrupt source overrides for the 16 ISA IRQs. */
static struct { int gsi; uint16_t flags; } isa_irq[16];

static int
sum_ok(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n-- > 0)
		s += *b++;
	return s == 0;
}

static struct acpi_rsdp *
find_rsdp(paddr_t hint)
{
	paddr_t pa;
	struct acpi_rsdp *r;

	if (hint != 0) {
		r = PHYS_TO_KVA(hint);
		if (memcmp(r->signature, "RSD PTR ", 8) == 0)
			return r;
	}
	for (pa = 0xe0000; pa < 0x100000; pa += 16) {
		r = PHYS_TO_KVA(pa);
		if (memcmp(r->signature, "RSD PTR ", 8) == 0 && sum_ok(r, 20))
			return r;
	}
	return NULL;
}

static struct acpi_header *
find_table(struct acpi_rsdp *rsdp, const char *sig)
{
	struct acpi_header *root, *h;
	int i, n, wide = rsdp->revision >= 2 && rsdp->xsdt != 0;

	root = PHYS_TO_KVA(wide ? rsdp->xsdt : rsdp->rsdt);
	n = (root->length - sizeof(*root)) / (wide ? 8 : 4);
	for (i = 0; i < n; i++) {
		uint8_t *e = (uint8_t *)(root + 1) + i * (wide ? 8 : 4);
		paddr_t pa = 0;

		memcpy(&pa, e, wide ? 8 : 4);
		h = PHYS_TO_KVA(pa);
		if (memcmp(h->signature, sig, 4) == 0 && sum_ok(h, h->length))
			return h;
	}
	return NULL;
}

void
acpi_init(paddr_t rsdp_hint)
{
	struct acpi_rsdp *rsdp = find_rsdp(rsdp_hint);
	struct acpi_madt *madt;
	struct acpi_header *fadt;
	uint8_t *e, *end;
	uint32_t bsp;
	int i, n = 1, nioapic = 0;

	for (i = 0; i < 16; i++)
		isa_irq[i].gsi = i;
	/* The boot CPU is cpus[0] whatever its place in the MADT. */
	bsp = ((volatile uint32_t *)pmap_mapdev(lapic_pa, PAGE_SIZE))[0x20 / 4] >> 24;
	cpu_apicids[0] = bsp;
	ncpu = 1;
	/* FADT ("FACP"): PM1a_CNT_BLK at byte 64, for md_poweroff. */
	if (rsdp != NULL && (fadt = find_table(rsdp, "FACP")) != NULL && fadt->length >= 68)
		acpi_pm1a_cnt = *(uint32_t *)((uint8_t *)fadt + 64);
	if (rsdp == NULL || (madt = (struct acpi_madt *)find_table(rsdp, "APIC")) == NULL) {
		early_puts("acpi: no MADT, one CPU\n");
		return;
	}
	e = madt->entries;
	end = (uint8_t *)madt + madt->hdr.length;
	for (; e + 2 <= end && e[1] >= 2; e += e[1]) {
		switch (e[0]) {
		case MADT_LAPIC:
			/* acpi processor id, apic id, flags (bit 0: enabled) */
			if ((e[4] & 1) && e[3] != bsp && n < MAXCPUS)
				cpu_apicids[n++] = e[3];
			break;
		case MADT_IOAPIC:
			if (nioapic++ == 0) {	/* QEMU has one; we use the first */
				uint32_t a;

				memcpy(&a, e + 4, 4);
				ioapic_pa = a;
			}
			break;
		case MADT_ISO:
			if (e[3] < 16) {
				uint32_t gsi;

				memcpy(&gsi, e + 4, 4);
				isa_irq[e[3]].gsi = gsi;
				memcpy(&isa_irq[e[3]].flags, e + 8, 2);
			}
			break;
		}
	}
	ncpu = n;
}

/*
 * Where ISA irq arrives at the IOAPIC.  ISA interrupts are edge-triggered
 * and active-high unless an override says otherwise (flags: bits 0-1
 * polarity, 3 = active low; bits 2-3 trigger, 3 = level).
 */
int
acpi_isa_irq_to_gsi(int irq, int *level, int *activelow)
{
	uint16_t f = isa_irq[irq].flags;

	*activelow = (f & 3) == 3;
	*level = ((f >> 2) & 3) == 3;
	return isa_irq[irq].gsi;
}

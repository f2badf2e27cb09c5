/*
 * pci.c: PCI configuration space through the legacy I/O ports 0xcf8
 * (address) and 0xcfc (data), device enumeration and BAR decoding.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "x86.h"
#include "pci.h"

#define PCI_ADDR	0xcf8
#define PCI_DATA	0xcfc

static uint32_t
pci_addr(int bus, int dev, int fn, int off)
{
	return 0x80000000U | (bus << 16) | (dev << 11) | (fn << 8) | (off & 0xfc);
}

uint32_t
pci_read32(struct pci_func *f, int off)
{
	outl(PCI_ADDR, pci_addr(f->bus, f->dev, f->fn, off));
	return inl(PCI_DATA);
}

void
pci_write32(struct pci_func *f, int off, uint32_t v)
{
	outl(PCI_ADDR, pci_addr(f->bus, f->dev, f->fn, off));
	outl(PCI_DATA, v);
}

uint16_t
pci_read16(struct pci_func *f, int off)
{
	return pci_read32(f, off & ~3) >> ((off & 2) * 8);
}

void
pci_write16(struct pci_func *f, int off, uint16_t v)
{
	uint32_t w = pci_read32(f, off & ~3);
	int sh = (off & 2) * 8;

	w = (w & ~(0xffffU << sh)) | ((uint32_t)v << sh);
	pci_write32(f, off & ~3, w);
}

uint8_t
pci_read8(struct pci_func *f, int off)
{
	return pci_read32(f, off & ~3) >> ((off & 3) * 8);
}

/* Physical address of memory BAR n (64-bit BARs take two slots). */
paddr_t
pci_bar_addr(struct pci_func *f, int n)
{
	uint32_t lo = pci_read32(f, PCI_BAR0 + 4 * n);

	if (lo & 1)
		return 0;			/* an I/O BAR */
	if (((lo >> 1) & 3) == 2)
		return ((paddr_t)pci_read32(f, PCI_BAR0 + 4 * (n + 1)) << 32) | (lo & ~0xfU);
	return lo & ~0xfU;
}

/* Offset of the first capability with this id at or after 'from', or 0. */
int
pci_find_cap(struct pci_func *f, int id, int from)
{
	int off;

	if (!(pci_read16(f, PCI_STATUS) & PCI_STATUS_CAPLIST))
		return 0;
	off = from ? pci_read8(f, from + 1) : pci_read8(f, PCI_CAPPTR);
	for (; off != 0; off = pci_read8(f, off + 1))
		if (pci_read8(f, off) == id)
			return off & 0xfc;
	return 0;
}

/*
 * Call match(f) for every function on every bus until it returns
 * nonzero (then return 1).
 */
int
pci_scan(int (*match)(struct pci_func *f))
{
	struct pci_func f;
	int nfn;

	for (f.bus = 0; f.bus < 256; f.bus++) {
		for (f.dev = 0; f.dev < 32; f.dev++) {
			f.fn = 0;
			if ((pci_read32(&f, PCI_ID) & 0xffff) == 0xffff)
				continue;
			nfn = (pci_read8(&f, PCI_HEADER_TYPE) & 0x80) ? 8 : 1;
			for (f.fn = 0; f.fn < nfn; f.fn++) {
				uint32_t id = pci_read32(&f, PCI_ID);

				if ((id & 0xffff) == 0xffff)
					continue;
				f.vendor = id & 0xffff;
				f.device = id >> 16;
				if (match(&f))
					return 1;
			}
		}
	}
	return 0;
}

/* PCI configuration space (pci.c), private to the x86_64 port. */
#ifndef X86_PCI_H
#define X86_PCI_H

#include "types.h"

struct pci_func {
	int		bus, dev, fn;
	uint16_t	vendor, device;
};

#define PCI_ID		0x00
#define PCI_COMMAND	0x04
#define PCI_STATUS	0x06
#define PCI_HEADER_TYPE	0x0e
#define PCI_BAR0	0x10
#define PCI_CAPPTR	0x34

#define PCI_COMMAND_MEM		0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_INTX_OFF	0x0400
#define PCI_STATUS_CAPLIST	0x0010

#define PCI_CAP_MSIX	0x11
#define PCI_CAP_VENDOR	0x09

uint32_t pci_read32(struct pci_func *f, int off);
void	pci_write32(struct pci_func *f, int off, uint32_t v);
uint16_t pci_read16(struct pci_func *f, int off);
void	pci_write16(struct pci_func *f, int off, uint16_t v);
uint8_t	pci_read8(struct pci_func *f, int off);
paddr_t	pci_bar_addr(struct pci_func *f, int n);
int	pci_find_cap(struct pci_func *f, int id, int from);
int	pci_scan(int (*match)(struct pci_func *f));

#endif

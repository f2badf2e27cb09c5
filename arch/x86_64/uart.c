/*
 * uart.c: the console on COM1, a 16550 at I/O port 0x3f8.
 * Output polls the line status register; input arrives by interrupt
 * (ISA IRQ 4 through the IOAPIC) and goes to consintr() byte by byte.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "x86.h"

#define COM1		0x3f8
#define UART_DATA	0		/* receive / transmit holding (DLAB 0) */
#define UART_IER	1		/* interrupt enable (DLAB 0) */
#define UART_DLL	0		/* divisor latch low (DLAB 1) */
#define UART_DLM	1		/* divisor latch high (DLAB 1) */
#define UART_FCR	2		/* FIFO control */
#define UART_LCR	3		/* line control; bit 7 = DLAB */
#define UART_MCR	4		/* modem control */
#define UART_LSR	5		/* line status */

#define IER_RX		0x01		/* interrupt when data arrives */
#define LSR_RXREADY	0x01
#define LSR_TXEMPTY	0x20
#define MCR_DTR_RTS_OUT2 0x0b		/* OUT2 connects the IRQ line on PCs */
#define COM1_IRQ	4

void
uart_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x80);	/* DLAB: set the divisor */
	outb(COM1 + UART_DLL, 1);	/* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03);	/* 8 bits, no parity, 1 stop bit */
	outb(COM1 + UART_FCR, 0x07);	/* FIFOs on and cleared, interrupt at 1 byte */
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
}

/* Route IRQ 4 to the boot CPU and ask the UART for receive interrupts. */
void
uart_enable_intr(void)
{
	int level, activelow, gsi = acpi_isa_irq_to_gsi(COM1_IRQ, &level, &activelow);

	ioapic_route(gsi, T_IRQ0 + COM1_IRQ, level, activelow, cpu_apicids[0]);
	outb(COM1 + UART_IER, IER_RX);
	(void)inb(COM1 + UART_DATA);
}

void
cnputc(int c)
{
	int spins = 0;

	while ((inb(COM1 + UART_LSR) & LSR_TXEMPTY) == 0 && spins++ < 100000)
		pause();
	outb(COM1 + UART_DATA, c);
}

void
uart_intr(void)
{
	while (inb(COM1 + UART_LSR) & LSR_RXREADY)
		consintr(inb(COM1 + UART_DATA));
}

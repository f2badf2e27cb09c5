/*
 * The console: the NS16550A-compatible UART of QEMU virt at 0x10000000
 * (PLIC source 10).  Output polls the transmitter; input raises an
 * interrupt per received byte (or FIFO's worth), handed to consintr().
 */
#include "riscv.h"
#include "systm.h"

#define UART_RBR	0	/* receive buffer (read) */
#define UART_THR	0	/* transmit holding (write) */
#define UART_DLL	0	/* divisor low, when LCR.DLAB */
#define UART_IER	1	/* interrupt enable */
#define UART_DLM	1	/* divisor high, when LCR.DLAB */
#define UART_FCR	2	/* FIFO control (write) */
#define UART_LCR	3	/* line control */
#define UART_LSR	5	/* line status */

#define IER_RX		0x01	/* interrupt when a byte arrives */
#define FCR_ENABLE	0x01
#define FCR_CLEAR	0x06	/* reset both FIFOs */
#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define LSR_RX_READY	0x01
#define LSR_TX_EMPTY	0x20	/* THR can take a byte */

static volatile uint8_t *
uart_reg(int r)
{
	return (volatile uint8_t *)PHYS_TO_KVA(VIRT_UART0) + r;
}

void
uart_init(void)
{
	*uart_reg(UART_IER) = 0;
	/* 38400 baud from the 1.8432 MHz clock (QEMU ignores the rate). */
	*uart_reg(UART_LCR) = LCR_DLAB;
	*uart_reg(UART_DLL) = 3;
	*uart_reg(UART_DLM) = 0;
	*uart_reg(UART_LCR) = LCR_8N1;
	*uart_reg(UART_FCR) = FCR_ENABLE | FCR_CLEAR;
	*uart_reg(UART_IER) = IER_RX;
	plic_enable_irq(IRQ_UART0);
}

/*
 * One byte out.  A newline goes out as CR LF: QEMU puts the host terminal
 * in raw mode, where a bare LF would not return the carriage.
 */
static void
uart_putc(int c)
{
	while ((*uart_reg(UART_LSR) & LSR_TX_EMPTY) == 0)
		;
	*uart_reg(UART_THR) = c;
}

void
cnputc(int c)
{
	if (c == '\n')
		uart_putc('\r');
	uart_putc(c);
}

void
uart_intr(void)
{
	while (*uart_reg(UART_LSR) & LSR_RX_READY)
		consintr(*uart_reg(UART_RBR));
}

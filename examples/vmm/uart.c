/*
 * vgic-vmm - Arm PrimeCell PL011 UART at 0x09000000 (SPI 1, INTID 33, as
 * on virt): transmit to the VMM's stdout, a 32-byte receive FIFO fed from
 * stdin or --after-migrate-input, UARTFR (RXFE, TXFE; TXFF never set as
 * transmission is instant), and the RX, RX-timeout and TX interrupts.
 * UARTDR, UARTFR, UARTIMSC, UARTRIS, UARTMIS, UARTICR and the ID registers
 * behave as on hardware; the line-control registers only store values.
 */
#include "vmm.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define UARTDR 0x000
#define UARTRSR 0x004
#define UARTFR 0x018
#define UARTILPR 0x020
#define UARTIBRD 0x024
#define UARTFBRD 0x028
#define UARTLCR_H 0x02c
#define UARTCR 0x030
#define UARTIFLS 0x034
#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define UARTMIS 0x040
#define UARTICR 0x044
#define UARTDMACR 0x048

#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)
#define INT_ALL 0x7ffu

/* PeriphID0..3 then CellID0..3, at 0xfe0..0xffc */
static const uint8_t uart_id[8] = {
	0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1
};

void pl011_init(struct vm *vm)
{
	struct uart *u = &vm->uart;

	memset(u, 0, sizeof(*u));
	u->cr = 0x300; /* TXE | RXE */
	u->ifls = 0x12;
	u->out_fd = 1;
}

void pl011_update_irq(struct vm *vm)
{
	struct uart *u = &vm->uart;
	bool level;

	if (u->rx_count)
		u->ris |= INT_RX | INT_RT;
	else
		u->ris &= ~(INT_RX | INT_RT);
	level = (u->ris & u->imsc) != 0;
	if (level != u->level && vm->gic) {
		u->level = level;
		vgic_irq_line(vm->gic, 0, 32 + VIRT_UART_SPI, level);
	}
}

size_t pl011_rx_space(const struct vm *vm)
{
	return UART_FIFO - vm->uart.rx_count;
}

void pl011_rx_push(struct vm *vm, const uint8_t *buf, size_t len)
{
	struct uart *u = &vm->uart;

	for (size_t i = 0; i < len && u->rx_count < UART_FIFO; i++) {
		u->rx[(u->rx_head + u->rx_count) % UART_FIFO] = buf[i];
		u->rx_count++;
	}
	pl011_update_irq(vm);
}

static void pl011_tx(struct vm *vm, uint8_t ch)
{
	struct uart *u = &vm->uart;
	ssize_t n;

	do {
		n = write(u->out_fd, &ch, 1);
	} while (n < 0 && errno == EINTR);
	u->tx_bytes++;
	vmm_console_wrote(ch);
	if (u->match_len == sizeof(u->match_buf) - 1) {
		memmove(u->match_buf, u->match_buf + 128,
			sizeof(u->match_buf) - 129);
		u->match_len -= 128;
	}
	u->match_buf[u->match_len++] = (char)ch;
	u->match_buf[u->match_len] = 0;
	if (vm->opt.migrate_on_output &&
	    strstr(u->match_buf, vm->opt.migrate_on_output)) {
		vm->migrate_req = true;
		u->match_len = 0;
		u->match_buf[0] = 0;
	}
	u->ris |= INT_TX;
}

uint64_t pl011_read(struct vm *vm, uint64_t off, unsigned size)
{
	struct uart *u = &vm->uart;
	uint64_t val = 0;

	(void)size;
	if (off >= 0xfe0 && off < 0x1000)
		return uart_id[(off - 0xfe0) >> 2];
	switch (off) {
	case UARTDR:
		if (u->rx_count) {
			val = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % UART_FIFO;
			u->rx_count--;
			pl011_update_irq(vm);
		}
		break;
	case UARTFR:
		val = FR_TXFE | (u->rx_count ? 0 : FR_RXFE) |
		      (u->rx_count == UART_FIFO ? FR_RXFF : 0);
		break;
	case UARTILPR: val = u->ilpr; break;
	case UARTIBRD: val = u->ibrd; break;
	case UARTFBRD: val = u->fbrd; break;
	case UARTLCR_H: val = u->lcr_h; break;
	case UARTCR: val = u->cr; break;
	case UARTIFLS: val = u->ifls; break;
	case UARTIMSC: val = u->imsc; break;
	case UARTRIS: val = u->ris; break;
	case UARTMIS: val = u->ris & u->imsc; break;
	case UARTDMACR: val = u->dmacr; break;
	default: break; /* UARTRSR and reserved: RAZ */
	}
	return val;
}

void pl011_write(struct vm *vm, uint64_t off, uint64_t val, unsigned size)
{
	struct uart *u = &vm->uart;

	(void)size;
	switch (off) {
	case UARTDR:
		pl011_tx(vm, (uint8_t)val);
		break;
	case UARTILPR: u->ilpr = val & 0xff; break;
	case UARTIBRD: u->ibrd = val & 0xffff; break;
	case UARTFBRD: u->fbrd = val & 0x3f; break;
	case UARTLCR_H: u->lcr_h = val & 0xff; break;
	case UARTCR: u->cr = val & 0xffff; break;
	case UARTIFLS: u->ifls = val & 0x3f; break;
	case UARTIMSC: u->imsc = val & INT_ALL; break;
	case UARTICR: u->ris &= ~(uint32_t)val; break;
	case UARTDMACR: u->dmacr = val & 7; break;
	default: break; /* read-only or reserved: WI */
	}
	pl011_update_irq(vm);
}

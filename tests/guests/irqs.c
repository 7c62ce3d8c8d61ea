/*
 * SPIs and timer interrupts: SPIs routed to every CPU and made pending
 * through GICD_ISPENDR, each CPU's virtual and physical timer firing
 * repeatedly (never early), and the PL011's TX and RX interrupts (SPI 1,
 * a real level-sensitive device line; RX needs the console input "gr").  Every interrupt must arrive exactly once
 * on the CPU it targets.  GICv3 or GICv2.
 */
#include "rt.h"

#define SPI0 40
#define SPI_ROUNDS 20
#define TICKS 10
#define UART_SPI 33

static volatile uint32_t spi_count[MAX_CPUS], spi_wrong, ticks[MAX_CPUS];
static volatile uint32_t pticks[MAX_CPUS], early, uart_irqs, stray;
static volatile uint32_t rx_char, rx_irqs;
static volatile uint32_t done, ready;
static uint32_t ncpu;

static void handler(uint32_t cpu, uint32_t intid)
{
	if (intid >= SPI0 && intid < SPI0 + ncpu) {
		if (intid - SPI0 != cpu)
			atomic_inc(&spi_wrong);
		atomic_inc(&spi_count[cpu]);
	} else if (intid == 27) {
		if (sysreg_read(cntvct_el0) < sysreg_read(cntv_cval_el0))
			atomic_inc(&early);
		sysreg_write(cntv_ctl_el0, 0); /* off until re-armed */
		atomic_inc(&ticks[cpu]);
	} else if (intid == 30) {
		sysreg_write(cntp_ctl_el0, 0);
		atomic_inc(&pticks[cpu]);
	} else if (intid == UART_SPI) {
		uint32_t mis = rd32(UART_BASE + 0x40); /* UARTMIS */

		if (mis & (3u << 4 | 1u << 6)) { /* RX or RX timeout */
			while (!(rd32(UART_BASE + 0x18) & (1u << 4)))
				rx_char = rd32(UART_BASE) & 0xff;
			atomic_inc(&rx_irqs);
		}
		if (mis & (1u << 5)) { /* TX */
			wr32(UART_BASE + 0x38, rd32(UART_BASE + 0x38) & ~(1u << 5));
			atomic_inc(&uart_irqs);
		}
		wr32(UART_BASE + 0x44, mis);    /* UARTICR */
	} else if (intid != 4) {
		atomic_inc(&stray);
	}
}

static void timer_test(uint32_t cpu)
{
	gic_enable_irq(27, cpu, false);
	gic_enable_irq(30, cpu, false);
	for (uint32_t i = 0; i < TICKS; i++) {
		sysreg_write(cntv_tval_el0, counter_freq() / 2000); /* 0.5 ms */
		sysreg_write(cntv_ctl_el0, 1);
		isb();
		WAIT_IRQ(atomic_load32(&ticks[cpu]) == i + 1);
	}
	sysreg_write(cntp_cval_el0, counter() + counter_freq() / 1000);
	sysreg_write(cntp_ctl_el0, 1);
	isb();
	WAIT_IRQ(atomic_load32(&pticks[cpu]) == 1);
}

static void secondary(uint32_t cpu)
{
	gic_init_secondary(cpu);
	irq_enable();
	timer_test(cpu);
	atomic_inc(&ready);
	WAIT_IRQ(atomic_load32(&done));
}

int main(void)
{
	gic_init_primary();
	set_irq_handler(handler);
	ncpu = start_secondaries(0, secondary);
	printf_("irqs: GICv%d, %u CPUs\n", gic_version, ncpu);
	irq_enable();
	timer_test(0);
	for (uint32_t c = 0; c < ncpu; c++)
		gic_enable_irq(SPI0 + c, c, false);
	for (uint32_t r = 0; r < SPI_ROUNDS; r++) {
		if (r == SPI_ROUNDS / 2)
			migrate_point();
		for (uint32_t c = 0; c < ncpu; c++) {
			gic_pend_spi(SPI0 + c);
			CHECK(WAIT_IRQ_US(atomic_load32(&spi_count[c]) == r + 1,
					  5000000),
			      "SPI %u to cpu%u: round %u not delivered", SPI0 + c,
			      c, r);
		}
	}
	/* PL011 TX interrupt: unmask TXIM, send a character */
	gic_enable_irq(UART_SPI, 0, false);
	wr32(UART_BASE + 0x44, 0x7ff);
	wr32(UART_BASE + 0x38, 1u << 5);
	puts_("irqs: uart tx interrupt\n");
	CHECK(WAIT_IRQ_US(atomic_load32(&uart_irqs) >= 1, 5000000),
	      "no PL011 TX interrupt");
	/* PL011 RX interrupt: the test runner types "gr"; the 'g' ended the
	 * migrate point, the 'r' waits in the FIFO until RXIM is set */
	wr32(UART_BASE + 0x38, (1u << 4) | (1u << 6));
	CHECK(WAIT_IRQ_US(atomic_load32(&rx_char) == 'r', 5000000),
	      "no PL011 RX interrupt (got '%c', %u interrupts)", rx_char,
	      rx_irqs);
	wr32(UART_BASE + 0x38, 0);
	while (atomic_load32(&ready) < ncpu - 1)
		cpu_relax();
	delay_us(20000);
	for (uint32_t c = 0; c < ncpu; c++) {
		CHECK(spi_count[c] == SPI_ROUNDS, "cpu%u: %u SPIs, want %u", c,
		      spi_count[c], SPI_ROUNDS);
		CHECK(ticks[c] == TICKS, "cpu%u: %u virtual timer ticks", c,
		      ticks[c]);
		CHECK(pticks[c] == 1, "cpu%u: %u physical timer ticks", c,
		      pticks[c]);
	}
	CHECK(uart_irqs == 1, "%u PL011 interrupts", uart_irqs);
	CHECK(!spi_wrong && !early && !stray,
	      "misrouted %u, early timer %u, stray %u", spi_wrong, early, stray);
	atomic_store32(&done, 1);
	gic_send_sgi_others(4);
	printf_("irqs: %u SPIs, %u timer ticks, PL011 TX+RX IRQs, each exactly once: PASS\n",
		SPI_ROUNDS * ncpu, (TICKS + 1) * ncpu);
	return 0;
}

/*
 * Guest runtime for libvgic's bare-metal test guests (EL1, MMU off) on
 * QEMU's virt machine and vgic-vmm: console, PSCI, SMP start-up, GICv3
 * (distributor, redistributors, ICC_* CPU interface, ITS) and GICv2 helpers,
 * the generic timer and the test-result exit convention.
 */
#ifndef RT_H
#define RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_CPUS 64

#define GICD_BASE 0x08000000ul
#define GICC_BASE 0x08010000ul
#define ITS_BASE 0x08080000ul
#define GICR_BASE 0x080a0000ul
#define UART_BASE 0x09000000ul
#define MSIDEV_BASE 0x0b000000ul
#define GITS_TRANSLATER (ITS_BASE + 0x10040)
#define HEAP_BASE 0x41000000ul /* RAM + 16 MiB: tables, queues */

#define LPI_BASE 8192u
#define SPURIOUS 1023u

static inline uint32_t rd32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline uint64_t rd64(uintptr_t a) { return *(volatile uint64_t *)a; }
static inline uint8_t rd8(uintptr_t a) { return *(volatile uint8_t *)a; }
static inline void wr32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline void wr64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline void wr8(uintptr_t a, uint8_t v) { *(volatile uint8_t *)a = v; }

#define sysreg_read(name) ({ uint64_t v_; __asm__ volatile("mrs %0, " #name : "=r"(v_)); v_; })
#define sysreg_write(name, v) __asm__ volatile("msr " #name ", %0" :: "r"((uint64_t)(v)) : "memory")
#define dsb() __asm__ volatile("dsb sy" ::: "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define wfi() __asm__ volatile("wfi" ::: "memory")
#define irq_enable() __asm__ volatile("msr daifclr, #2" ::: "memory")
#define irq_disable() __asm__ volatile("msr daifset, #2" ::: "memory")
#define cpu_relax() __asm__ volatile("yield" ::: "memory")

/* ICC_* by encoding, so any assembler takes them. */
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_HPPIR1_EL1 S3_0_C12_C12_2
#define ICC_BPR1_EL1 S3_0_C12_C12_3
#define ICC_CTLR_EL1 S3_0_C12_C12_4
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_DIR_EL1 S3_0_C12_C11_1
#define icc_read(r) sysreg_read(r)
#define icc_write(r, v) sysreg_write(r, v)

/* console */
void putc_(char c);
void puts_(const char *s);
void printf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int getc_nb(void);  /* -1 if nothing received */

/* CPUs */
uint32_t cpu_id(void);
uint64_t cpu_mpidr(uint32_t cpu);
uint32_t nr_cpus(void);
/* Start CPUs 1..want-1 (or as many as exist when want is 0) running
 * @fn(cpu); returns the number of CPUs now online, including CPU 0. */
uint32_t start_secondaries(uint32_t want, void (*fn)(uint32_t cpu));
int64_t psci(uint64_t fn, uint64_t a, uint64_t b, uint64_t c);
void test_exit(int status) __attribute__((noreturn));
#define PASS() test_exit(0)
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

/* atomics (work across Unicorn round-robin vCPUs and real SMP) */
static inline uint32_t atomic_inc(volatile uint32_t *p)
{
	return __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST);
}
static inline uint32_t atomic_load32(volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}
static inline void atomic_store32(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}
void barrier_wait(volatile uint32_t *b, uint32_t n); /* sense-free, one use */

/* heap for GIC tables: never freed */
void *alloc_zeroed(size_t size, size_t align);

/* timer */
uint64_t counter(void);
uint64_t counter_freq(void);
void delay_us(uint64_t us);

/* interrupts: handler gets the INTID (GICv3 IAR/GICv2 IAR low bits) */
typedef void (*irq_handler_t)(uint32_t cpu, uint32_t intid);
void set_irq_handler(irq_handler_t h);
extern int gic_version;

/* GICv3 */
void gicv3_dist_init(void);
void gicv3_cpu_init(uint32_t cpu);      /* redistributor + ICC on this CPU */
uintptr_t gicr_base(uint32_t cpu);
void gicv3_enable_irq(uint32_t intid, uint32_t cpu, bool edge); /* SGI/PPI: cpu = this */
void gicv3_pend_spi(uint32_t intid);
void gicv3_send_sgi(uint32_t target_cpu, uint32_t intid);
void gicv3_send_sgi_all_but_self(uint32_t intid);

/* GICv3 LPIs and the ITS */
#define LPI_ID_BITS 14      /* LPIs 8192..16383 */
void lpi_init_cpu(uint32_t cpu);  /* PROPBASER/PENDBASER/EnableLPIs */
void lpi_config(uint32_t intid, bool enable, uint8_t prio);
void its_init(bool two_level);
void its_mapc(uint32_t icid, uint32_t cpu);
void its_mapd(uint32_t devid, uint32_t event_bits);
void its_mapti(uint32_t devid, uint32_t event, uint32_t intid, uint32_t icid);
void its_movi(uint32_t devid, uint32_t event, uint32_t icid);
void its_int(uint32_t devid, uint32_t event);
void its_inv(uint32_t devid, uint32_t event);
void its_invall(uint32_t icid);
void its_sync(uint32_t cpu);
void its_flush(void);  /* wait until the ITS consumed every command */
void its_queue_only(bool on); /* batch commands until its_flush */

/* GICv2 */
void gicv2_dist_init(void);
void gicv2_cpu_init(uint32_t cpu);
void gicv2_enable_irq(uint32_t intid, uint32_t cpu_mask, bool edge);
void gicv2_send_sgi(uint32_t target_mask, uint32_t intid);
void gicv2_pend_spi(uint32_t intid);

/* generic GIC front end chosen by gic_version */
void gic_enable_irq(uint32_t intid, uint32_t cpu, bool edge);
void gic_send_sgi(uint32_t cpu, uint32_t intid);
void gic_send_sgi_others(uint32_t intid);
void gic_pend_spi(uint32_t intid);
/* Sleep in WFI until @cond holds, taking interrupts meanwhile (no lost
 * wake-up: the condition is checked with IRQs masked). */
#define WAIT_IRQ(cond)                                                        \
	do {                                                                  \
		irq_disable();                                                \
		while (!(cond)) {                                             \
			wfi();                                                \
			irq_enable();                                         \
			isb();                                                \
			irq_disable();                                        \
		}                                                             \
		irq_enable();                                                 \
	} while (0)
/* Like WAIT_IRQ but gives up after @us microseconds; true if @cond. */
#define WAIT_IRQ_US(cond, us)                                                 \
	({                                                                    \
		uint64_t end_ = counter() + (us) * counter_freq() / 1000000;  \
		irq_enable();                                                 \
		while (!(cond) && counter() < end_)                           \
			cpu_relax();                                          \
		(bool)(cond);                                                 \
	})
void migrate_point(void); /* prints "[migrate-point]": tests migrate here */
void gic_init_primary(void);   /* detect version, dist init, cpu init */
void gic_init_secondary(uint32_t cpu);

int main(void);

#endif

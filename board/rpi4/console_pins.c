/* console_pins.c — route GPIO 14/15 (header pins 8 and 10) to the console UART: PL011 UART0, or the mini UART. */
#include "board.h"
#include "periph_bcm2711_gpio.h"

/*
 * Runs in console_init() before the MMU is on (PREMMU_SRCS): physical address, no data.
 * TXD0 and RXD0 are function alt 0 of GPIO 14 and 15 (BCM2711 ARM Peripherals, 5.3); RXD gets
 * the pull-up an idle serial line expects, so an unconnected RX pin reads idle, not noise.
 */
void board_console_pins(void)
{
	BCM2711_GPIO_Type *gpio = (BCM2711_GPIO_Type *)BOARD_GPIO_BASE;
	uint32_t fsel = gpio->GPFSEL[1], pull = gpio->PUP_PDN_CNTRL[0];

	fsel &= ~(uint32_t)(GPIO_FSEL_Msk(14) | GPIO_FSEL_Msk(15));
#ifdef BOARD_CONSOLE_MINI_UART
	fsel |= (GPIO_FSEL_ALT5 << GPIO_FSEL_Pos(14)) |
		(GPIO_FSEL_ALT5 << GPIO_FSEL_Pos(15)); /* TXD1, RXD1 */
#else
	fsel |= (GPIO_FSEL_ALT0 << GPIO_FSEL_Pos(14)) |
		(GPIO_FSEL_ALT0 << GPIO_FSEL_Pos(15)); /* TXD0, RXD0 */
#endif
	pull &= ~(uint32_t)(GPIO_PULL_Msk(14) | GPIO_PULL_Msk(15));
	pull |= GPIO_PULL_UP << GPIO_PULL_Pos(15); /* GPIO 14 (TXD): no pull, cleared above */
	gpio->PUP_PDN_CNTRL[0] = pull;
	gpio->GPFSEL[1] = fsel;
}

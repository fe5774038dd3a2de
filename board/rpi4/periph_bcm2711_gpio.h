/* periph_bcm2711_gpio.h — the BCM2711 GPIO block's function-select and pull registers, CMSIS style (BCM2711 ARM Peripherals, 5.2). */
#ifndef PERIPH_BCM2711_GPIO_H
#define PERIPH_BCM2711_GPIO_H

#include <stddef.h>
#include "cmsis_aarch64.h"

typedef struct {
	__IOM uint32_t GPFSEL[6];	 /* 0x000 Function select, 10 pins per register, 3 bits each */
	uint32_t RESERVED0[51];		 /* 0x018 set/clear/level/event registers, unused here */
	__IOM uint32_t PUP_PDN_CNTRL[4]; /* 0x0E4 Pull-up/down, 16 pins per register, 2 bits each */
} BCM2711_GPIO_Type;

_Static_assert(offsetof(BCM2711_GPIO_Type, GPFSEL[1]) == 0x004, "GPFSEL1 offset");
_Static_assert(offsetof(BCM2711_GPIO_Type, PUP_PDN_CNTRL) == 0x0E4, "GPIO_PUP_PDN_CNTRL_REG0 offset");

#define GPIO_FSEL_Pos(pin) (((pin) % 10U) * 3U)
#define GPIO_FSEL_Msk(pin) (7UL << GPIO_FSEL_Pos(pin))
#define GPIO_FSEL_ALT0	   4U /* 0b100 */
#define GPIO_FSEL_ALT5	   2U /* 0b010 */
#define GPIO_PULL_Pos(pin) (((pin) % 16U) * 2U)
#define GPIO_PULL_Msk(pin) (3UL << GPIO_PULL_Pos(pin))
#define GPIO_PULL_NONE	   0U
#define GPIO_PULL_UP	   1U

#endif /* PERIPH_BCM2711_GPIO_H */

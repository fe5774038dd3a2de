/* el0.h — set up what user threads may access without a system call. */
#ifndef KEEL_EL0_H
#define KEEL_EL0_H

void el0_setup(void);

#endif

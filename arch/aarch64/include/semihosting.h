/* semihosting.h — the few semihosting operations Keel uses (Arm semihosting specification). */
#ifndef SEMIHOSTING_H
#define SEMIHOSTING_H

#define SEMIHOSTING_SYS_EXIT	     0x18
#define SEMIHOSTING_SYS_GET_CMDLINE  0x15
#define ADP_STOPPED_APPLICATION_EXIT 0x20026 /* SYS_EXIT reason: normal exit, with a status */

#endif

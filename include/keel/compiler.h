/* compiler.h — small compiler helpers. */
#ifndef KEEL_COMPILER_H
#define KEEL_COMPILER_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MUST_CHECK    __attribute__((warn_unused_result))

#endif

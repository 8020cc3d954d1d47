/* One place writes to stderr, so every message carries the same prefix. */
#include "messages.h"

#include <stdarg.h>
#include <stdio.h>

static void (*before_message)(void);

void messages_set_before(void (*before)(void))
{
    before_message = before;
}

__attribute__((format(printf, 2, 0))) static void vmessage(const char *kind, const char *fmt,
                                                           va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof(line), fmt, ap);
    fflush(stdout); /* keep our output and the message in order on a shared terminal */
    if (before_message != NULL) {
        before_message();
    }
    fprintf(stderr, "hsdump: %s%s\n", kind, line);
}

void errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
}

void warnf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("warning: ", fmt, ap);
    va_end(ap);
}

void notef(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
}

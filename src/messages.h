/* Messages to the user on stderr, all prefixed "hsdump: ". */
#ifndef HSDUMP_SRC_MESSAGES_H
#define HSDUMP_SRC_MESSAGES_H

#define EXIT_USAGE 2 /* usage or input error (tcpdump and diff(1) use 1 differently) */

void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Informational (e.g. "listening on lo"), like tcpdump's stderr notes. */
void notef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called before each message: erases a progress line standing on the terminal. */
void messages_set_before(void (*before)(void));

#endif

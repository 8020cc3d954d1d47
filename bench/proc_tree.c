/* Per-process CPU time and peak RSS of a command and every process it forks (bench/parallel.sh,
 * issue 22). The command runs under ptrace(2) with PTRACE_O_TRACEFORK, PTRACE_O_TRACEEXIT and no
 * other stops than those and signal delivery: each process of the tree is stopped once, at
 * PTRACE_EVENT_EXIT, before it releases its memory, and there its own figures are read from
 * proc(5) while they are final:
 *   /proc/PID/stat       utime and stime (fields 14, 15, clock ticks, sysconf(_SC_CLK_TCK)),
 *                        and cutime + cstime (16, 17): the children it has waited for, which
 *                        for hsdump's reader are its workers (a check of their own figures),
 *   /proc/PID/schedstat  time spent on a CPU in nanoseconds (the first field; the kernel's
 *                        sum_exec_runtime, which utime + stime are scaled from),
 *   /proc/PID/status     VmHWM, the process's peak resident set size, and RssAnon, RssFile,
 *                        RssShmem: what its resident set is made of at exit (shared memory
 *                        and file pages are counted in every process that maps them).
 * A process is not traced between those stops, so the cost is a few context switches per
 * process and per signal, not per system call. With -o FILE one tab-separated line per process:
 *   pid ppid depth user_s sys_s cpu_s vmhwm_kib anon_kib file_kib shmem_kib children_s comm
 * (depth 0: the command itself, 1: its children...), then "wall WALL_S STATUS". The command's
 * standard streams are this program's; its exit status is this program's (128 + signal). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 256

struct proc {
    pid_t pid;
    pid_t ppid;
    int depth;
    int started; /* its first stop (the SIGSTOP of an auto-attached child) was seen */
};

static struct proc procs[MAX_PROCS];
static int nprocs;

static struct proc *find(pid_t pid)
{
    for (int i = 0; i < nprocs; i++) {
        if (procs[i].pid == pid) {
            return &procs[i];
        }
    }
    return NULL;
}

static struct proc *add(pid_t pid, pid_t ppid, int depth)
{
    struct proc *p = find(pid);
    if (p != NULL) {
        return p;
    }
    if (nprocs == MAX_PROCS) {
        fprintf(stderr, "proc_tree: more than %d processes\n", MAX_PROCS);
        return NULL;
    }
    p = &procs[nprocs++];
    p->pid = pid;
    p->ppid = ppid;
    p->depth = depth;
    p->started = 0;
    return p;
}

static int read_file(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    size_t n = fread(buf, 1, len - 1, f);
    fclose(f);
    buf[n] = '\0';
    return 0;
}

/* The figures of a process stopped at its exit event, as one line to OUT. */
static void record(FILE *out, const struct proc *p)
{
    char path[64], buf[4096], comm[64] = "?";
    unsigned long long utime = 0, stime = 0, cutime = 0, cstime = 0, run_ns = 0, hwm = 0, anon = 0, file = 0, shmem = 0;

    snprintf(path, sizeof path, "/proc/%d/stat", (int)p->pid);
    if (read_file(path, buf, sizeof buf) == 0) {
        /* comm is in parentheses and may hold spaces: the fields after the last ')' */
        char *open = strchr(buf, '('), *close = strrchr(buf, ')');
        if (open != NULL && close != NULL && close > open) {
            snprintf(comm, sizeof comm, "%.*s", (int)(close - open - 1), open + 1);
            /* after ") ": state (3) ... utime (14), stime (15) */
            char *s = close + 2;
            int field = 3;
            while (*s != '\0' && field < 14) {
                if (*s++ == ' ') {
                    field++;
                }
            }
            sscanf(s, "%llu %llu %llu %llu", &utime, &stime, &cutime, &cstime);
        }
    }
    snprintf(path, sizeof path, "/proc/%d/schedstat", (int)p->pid);
    if (read_file(path, buf, sizeof buf) == 0) {
        sscanf(buf, "%llu", &run_ns);
    }
    snprintf(path, sizeof path, "/proc/%d/status", (int)p->pid);
    if (read_file(path, buf, sizeof buf) == 0) {
        const struct {
            const char *key;
            unsigned long long *value;
        } keys[] = {{"\nVmHWM:", &hwm}, {"\nRssAnon:", &anon}, {"\nRssFile:", &file},
                    {"\nRssShmem:", &shmem}};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            char *h = strstr(buf, keys[i].key);
            if (h != NULL) {
                sscanf(h + strlen(keys[i].key), "%llu", keys[i].value);
            }
        }
    }
    double tick = (double)sysconf(_SC_CLK_TCK);
    fprintf(out, "%d\t%d\t%d\t%.2f\t%.2f\t%.3f\t%llu\t%llu\t%llu\t%llu\t%.2f\t%s\n",
            (int)p->pid, (int)p->ppid, p->depth, (double)utime / tick, (double)stime / tick,
            (double)run_ns / 1e9, hwm, anon, file, shmem, (double)(cutime + cstime) / tick, comm);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    FILE *out = stderr;
    int arg = 1;
    if (argc > 2 && strcmp(argv[1], "-o") == 0) {
        out = fopen(argv[2], "w");
        if (out == NULL) {
            fprintf(stderr, "proc_tree: %s: %s\n", argv[2], strerror(errno));
            return 125;
        }
        arg = 3;
    }
    if (arg < argc && strcmp(argv[arg], "--") == 0) {
        arg++;
    }
    if (arg >= argc) {
        fprintf(stderr, "usage: proc_tree [-o FILE] [--] COMMAND [ARG...]\n");
        return 125;
    }

    double t0 = now();
    pid_t top = fork();
    if (top < 0) {
        perror("proc_tree: fork");
        return 125;
    }
    if (top == 0) {
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        raise(SIGSTOP); /* the tracer sets its options, then lets us exec */
        execvp(argv[arg], argv + arg);
        fprintf(stderr, "proc_tree: %s: %s\n", argv[arg], strerror(errno));
        _exit(127);
    }
    int status;
    if (waitpid(top, &status, 0) != top || !WIFSTOPPED(status)) {
        fprintf(stderr, "proc_tree: the command did not start\n");
        return 125;
    }
    ptrace(PTRACE_SETOPTIONS, top, NULL,
           (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
                          PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
    add(top, getpid(), 0)->started = 1;
    ptrace(PTRACE_CONT, top, NULL, NULL);

    int result = 125;
    double wall = 0;
    for (;;) {
        pid_t pid = waitpid(-1, &status, __WALL);
        if (pid < 0) {
            if (errno == EINTR) {
                continue;
            }
            break; /* ECHILD: every process of the tree is gone */
        }
        struct proc *p = find(pid);
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            if (pid == top) {
                wall = now() - t0;
                result = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            continue;
        }
        if (!WIFSTOPPED(status)) {
            continue;
        }
        int sig = WSTOPSIG(status), event = status >> 16, deliver = 0;
        if (p == NULL) {
            /* a new child's first stop came before its parent's fork event */
            p = add(pid, 0, 1);
        }
        if (sig == SIGTRAP && event != 0) {
            if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
                event == PTRACE_EVENT_CLONE) {
                unsigned long child = 0;
                ptrace(PTRACE_GETEVENTMSG, pid, NULL, &child);
                struct proc *c = add((pid_t)child, pid, p->depth + 1);
                if (c != NULL) {
                    c->ppid = pid;
                    c->depth = p->depth + 1;
                }
            } else if (event == PTRACE_EVENT_EXIT) {
                record(out, p);
            }
        } else if (sig == SIGSTOP && !p->started) {
            p->started = 1; /* an auto-attached child's first stop: not a signal to pass on */
        } else {
            deliver = sig; /* a signal for the process (SIGCHLD, SIGINT, SIGPIPE...): passed on */
        }
        ptrace(PTRACE_CONT, pid, NULL, (void *)(long)deliver);
    }
    fprintf(out, "wall\t%.3f\t%d\n", wall, result);
    if (out != stderr) {
        fclose(out);
    }
    return result;
}

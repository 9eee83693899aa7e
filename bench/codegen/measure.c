/* measure: runs a command and prints "<wall seconds> <peak RSS KiB> <exit status>" on stderr's last line.
 *
 *     measure COMMAND [ARG...]
 *
 * A small C parent, so that the child's ru_maxrss (which counts the memory a forked child had before exec) is the
 * command's own and not the Python timer's. ru_maxrss from wait4 covers the children the command waited for
 * (protoc's plugins), as the largest of them. Output of the command goes where this program's goes. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: measure COMMAND [ARG...]\n");
        return 2;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid < 0) return 2;
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0) return 2;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double wall = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(stderr, "\nmeasure: %.9f %ld %d\n", wall, usage.ru_maxrss, code);
    return code;
}

// Linux kernel interfaces Glibc's Swift module does not export: epoll(7), eventfd(2) and the
// SO_PEERCRED credentials of a Unix socket's peer (struct ucred needs _GNU_SOURCE).
// Part of glibc's headers (libc6-dev); nothing extra to install or link.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

/// The user id of the process at the other end of the connected Unix socket `fd` (SO_PEERCRED),
/// or -1 when it cannot be read.
static inline long latchkey_peer_uid(int fd) {
    struct { int pid; unsigned int uid; unsigned int gid; } credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0 || length != sizeof credentials) return -1;
    return (long)credentials.uid;
}

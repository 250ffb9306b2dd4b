// Linux kernel interfaces Glibc's Swift module does not export: epoll(7) and eventfd(2).
// Part of glibc's headers (libc6-dev); nothing extra to install or link.
#include <sys/epoll.h>
#include <sys/eventfd.h>

// libnfc (LGPL-3.0), Debian package libnfc-dev.
// Only the libnfc adapter module and the CLI may link this.
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <nfc/nfc.h>

// Pseudo-terminal calls for the virtual PN532 (LibNFCTransport). glibc declares them only under
// _XOPEN_SOURCE, which the Glibc module is not built with; the prototypes are POSIX's.
int posix_openpt(int flags);
int grantpt(int fd);
int unlockpt(int fd);
int ptsname_r(int fd, char *buf, size_t buflen);

// libsodium (ISC licence), Debian package libsodium-dev.
#pragma once
#include <sodium.h>

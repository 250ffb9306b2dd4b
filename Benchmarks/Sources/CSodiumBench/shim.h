// libsodium (ISC licence), Debian package libsodium-dev: raw baseline for latchkey-bench.
#pragma once
#include <sodium.h>

// libnfc (LGPL-3.0), Debian package libnfc-dev.
// Only the libnfc adapter module and the CLI may link this.
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <nfc/nfc.h>

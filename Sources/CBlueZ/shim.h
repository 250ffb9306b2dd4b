// libbluetooth (GPL-2.0-or-later), Debian package libbluetooth-dev.
// Only the BlueZ adapter module and the CLI may link this.
#pragma once
#include <sys/socket.h>
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>
#include <bluetooth/l2cap.h>

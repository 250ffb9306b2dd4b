#!/usr/bin/env python3
"""A deliberately naive scanning client for the fuzz-client advertising tests (standard library only).

It finds the lock the way a scanner does: the discovery record in LATCHKEY_DEVICES_DIR (one JSON file
per device: "advertisingData" and "scanResponse" as hex AD bytes, Core Vol 3 Part C §11), reads the
Nuki ID from the advertising, and connects to the record's socket (ATT over SOCK_SEQPACKET) to run
Exchange MTU. It prints `connected to Nuki_XXXXXXXX` and exits 0.

Its bugs, each one a correct client must not have (README, "Fuzzing a client: the hostile lock",
advertising rules):
- it walks AD structures without bounds checks: a length octet that overruns the data raises
  IndexError or struct.error (a traceback);
- it decodes the Complete Local Name as strict UTF-8 (UnicodeDecodeError on other octets);
- it trusts the first Nuki-looking structure: any manufacturer data whose company id is Apple's is
  taken for the Nuki iBeacon, any 0x21 service data for the pairing service, and the name is never
  compared with the Nuki ID; it connects whatever the lengths, UUIDs or a second structure say.
"""
import glob
import json
import os
import socket
import struct
import sys


def parse(data):
    """AD structures, naively: length, type, data; no check that the length fits."""
    structures = []
    i = 0
    while i < len(data):
        length = data[i]
        if length == 0:
            break
        kind = data[i + 1]
        structures.append((kind, data[i + 2:i + 1 + length]))
        if i + 1 + length > len(data):
            # The bug: it reads the claimed bytes anyway.
            _ = data[i + length]
        i += 1 + length
    return structures


def main():
    folder = os.environ["LATCHKEY_DEVICES_DIR"]
    record = json.load(open(sorted(glob.glob(os.path.join(folder, "*.json")))[0]))
    ad = bytes.fromhex(record["advertisingData"])
    scan = bytes.fromhex(record["scanResponse"])
    nuki_id, name = None, None
    for kind, body in parse(ad) + parse(scan):
        if kind == 0x09:
            name = body.decode("utf-8")
        elif kind == 0xFF and body[0] == 0x4C and nuki_id is None:
            (nuki_id,) = struct.unpack(">I", body[20:24])
        elif kind == 0x21 and nuki_id is None:
            (nuki_id,) = struct.unpack(">I", body[16:20])
    if nuki_id is None:
        print("refused: no Nuki lock advertising")
        return 1
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.connect(record["socket"])
    sock.settimeout(2)
    sock.send(struct.pack("<BH", 0x02, 247))
    sock.recv(1024)
    print(f"connected to Nuki_{nuki_id:08X} ({name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

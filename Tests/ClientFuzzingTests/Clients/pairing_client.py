#!/usr/bin/env python3
"""A tiny Nuki client for the fuzz-client tests (standard library only): the first step of pairing.

It connects to the lock's socket (LATCHKEY_FUZZ_SOCKET: ATT over SOCK_SEQPACKET, one PDU per
datagram), exchanges ATT_MTU 247, enables indications on the pairing GDIO (CCCD 0x0004), writes
Request Data (Public Key) `0100030027A7` to it (0x0003) and reads the lock's Public Key reply:
command 0x0003, a 32-byte key, CRC-16/CCITT-FALSE (docs/wire.md §3.1 step 1).

MODE picks the client; all but `correct` carry one planted bug, each the one a fuzz-client class
exists to catch ("every guard gets its bug"):
- correct: joins indications until the 36 bytes the layout promises (2 s limit), refuses a wrong
  length, command or CRC (exit 1), exit 0 on a valid reply;
- crash: unpacks the reply with a fixed struct layout and checks nothing: a reply of any other
  length raises struct.error (a traceback);
- hang: waits for exactly 36 bytes in one indication, ignoring anything else, with no time limit;
- accept: checks the length and command but not the CRC: exit 0 on a reply with a bad CRC.
"""
import os
import socket
import struct
import sys

HANDLE_VALUE, CCCD = 0x0003, 0x0004
REQUEST_PUBLIC_KEY = bytes.fromhex("0100030027A7")


def crc16(data):
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def request(sock, pdu, expected):
    sock.send(pdu)
    while True:
        rsp = sock.recv(1024)
        if rsp[:1] == bytes([expected]) or rsp[:1] == b"\x01":
            return rsp


def main():
    mode = sys.argv[1]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.connect(os.environ["LATCHKEY_FUZZ_SOCKET"])
    request(sock, struct.pack("<BH", 0x02, 247), 0x03)
    request(sock, struct.pack("<BHH", 0x12, CCCD, 0x0002), 0x13)
    request(sock, struct.pack("<BH", 0x12, HANDLE_VALUE) + REQUEST_PUBLIC_KEY, 0x13)
    if mode != "hang":
        sock.settimeout(2)
    reply = b""
    while len(reply) < 36:
        try:
            pdu = sock.recv(1024)
        except socket.timeout:
            print("refused: no whole reply within 2 s")
            return 1
        if not pdu or pdu[0] != 0x1D:
            continue
        sock.send(b"\x1e")
        value = pdu[3:]
        if mode == "hang":
            if len(value) == 36:
                reply = value
            continue
        reply += value
        if mode == "crash":
            break
    if mode == "crash":
        command, key, crc = struct.unpack("<H32sH", reply)
        print(f"public key {key.hex()}")
        return 0
    if len(reply) != 36:
        print(f"refused: {len(reply)} bytes, 36 expected")
        return 1
    command, key, crc = struct.unpack("<H32sH", reply)
    if command != 0x0003:
        print(f"refused: command 0x{command:04X}")
        return 1
    if mode != "accept" and crc != crc16(reply[:34]):
        print("refused: bad CRC")
        return 1
    print(f"public key {key.hex()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

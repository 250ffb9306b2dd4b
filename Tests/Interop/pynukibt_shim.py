#!/usr/bin/env python3
"""Drive pyNukiBT 0.0.20 against `latchkey lock serve` over the socket link.

The lock serves GATT on a Unix SOCK_SEQPACKET socket, one ATT PDU per datagram. This shim is a
minimal GATT client (Bluetooth Core Vol 3 Part F = ATT, Part G = GATT) dressed up as the subset of
a BleakClient that pyNukiBT uses (docs/wire.md §11.1, "Driving it without
Bluetooth"), then runs pyNukiBT's own high-level calls: pair, update_state, unlock, lock,
update_config, verify_security_pin. Exit 0 only when every step gave the expected result.
With --ultra the lock pairs the Ultra way (`lock serve --model ultra`, or `go` on 5.x): pyNukiBT must detect it by the
Ultra pairing characteristic a92ee301 and pair through its Ultra code path (Authorization Info,
encrypted Authorization Data with the u32 security PIN, docs/wire.md §3.4).

Usage: pynukibt_shim.py DEVICES_DIR [--nuki-id 2A37599A] [--pin 1234] [--firmware X.Y.Z] [--ultra] [--verbose]
"""
import argparse
import asyncio
import json
import logging
import os
import socket
import struct
import sys
import time

import nacl.public
import pyNukiBT.nuki
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.exc import BleakError
from pyNukiBT import NukiConst, NukiDevice, NukiLockConst, NukiUltraConst

BT_BASE_UUID = "0000{:04x}-0000-1000-8000-00805f9b34fb"
ATT_MTU = 247  # our Exchange MTU request; every lock message then fits in one indication (§1.2)

# ATT opcodes, Core Vol 3 Part F §3.4.
ERROR_RSP, MTU_REQ, MTU_RSP = 0x01, 0x02, 0x03
FIND_INFO_REQ, FIND_INFO_RSP = 0x04, 0x05
READ_BY_TYPE_REQ, READ_BY_TYPE_RSP = 0x08, 0x09
READ_BY_GROUP_REQ, READ_BY_GROUP_RSP = 0x10, 0x11
WRITE_REQ, WRITE_RSP = 0x12, 0x13
PREPARE_WRITE_REQ, PREPARE_WRITE_RSP = 0x16, 0x17
EXECUTE_WRITE_REQ, EXECUTE_WRITE_RSP = 0x18, 0x19
NOTIFICATION, INDICATION, CONFIRMATION = 0x1B, 0x1D, 0x1E
ATTRIBUTE_NOT_FOUND, REQUEST_NOT_SUPPORTED = 0x0A, 0x06

log = logging.getLogger("shim")


class StepFailed(Exception):
    pass


def uuid_from_le(raw: bytes) -> str:
    """A 16- or 128-bit UUID as ATT carries it (little-endian) → bleak's lower-case string."""
    if len(raw) == 2:
        return BT_BASE_UUID.format(int.from_bytes(raw, "little"))
    h = raw[::-1].hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Characteristic:
    """What pyNukiBT reads of a BleakGATTCharacteristic: `uuid` (the notification sender)."""

    def __init__(self, uuid, decl_handle, value_handle, properties):
        self.uuid, self.handle, self.value_handle = uuid, decl_handle, value_handle
        self.properties, self.cccd_handle = properties, None

    def __repr__(self):
        return f"<char {self.uuid} value 0x{self.value_handle:04X} cccd {self.cccd_handle}>"


class Services:
    def __init__(self):
        self.by_uuid = {}

    def get_characteristic(self, uuid):
        return self.by_uuid.get(str(uuid).lower())


class SocketBleakClient:
    """The slice of BleakClient pyNukiBT 0.0.20 uses, over one ATT bearer on the socket link."""

    def __init__(self, path):
        self.path = path
        self.services = Services()
        self.mtu = 23  # ATT default until the exchange (Part F §3.2.8)
        self._sock = None
        self._reader = None
        self._pending = None  # future of the one outstanding request (Part F §3.3.2)
        self._request_lock = asyncio.Lock()
        self._callbacks = {}  # value handle → (Characteristic, callback)

    @property
    def is_connected(self):
        return self._sock is not None

    async def open(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.setblocking(False)
        await asyncio.get_running_loop().sock_connect(s, self.path)
        self._sock = s
        self._reader = asyncio.create_task(self._read_loop())
        await self._discover()

    # --- bearer ---------------------------------------------------------------------------

    async def _read_loop(self):
        loop = asyncio.get_running_loop()
        try:
            while True:
                pdu = await loop.sock_recv(self._sock, 4096)
                if not pdu:
                    raise ConnectionError("the lock closed the link")
                log.debug("ATT <- %s", pdu.hex())
                op = pdu[0]
                if op in (INDICATION, NOTIFICATION):
                    # Part F §3.4.7: handle (2) + value. An indication is confirmed with 0x1E.
                    if op == INDICATION:
                        await self._send(bytes([CONFIRMATION]))
                    handle = struct.unpack_from("<H", pdu, 1)[0]
                    entry = self._callbacks.get(handle)
                    if entry is None:
                        log.warning("indication on unsubscribed handle 0x%04X", handle)
                        continue
                    char, callback = entry
                    try:  # bleak calls callback(characteristic, bytearray); pyNukiBT's is async
                        await callback(char, bytearray(pdu[3:]))
                    except Exception as exc:  # pyNukiBT re-raises unsolicited error reports
                        log.warning("notification handler raised %r", exc)
                elif op == MTU_REQ:  # the server may exchange too; answer with ours
                    await self._send(struct.pack("<BH", MTU_RSP, ATT_MTU))
                elif op in (0x04, 0x06, 0x08, 0x0A, 0x0C, 0x0E, 0x10, 0x12, 0x16, 0x18, 0x20):
                    # A request from the server: this client has no attributes (Part F §3.4.1.1).
                    await self._send(bytes([ERROR_RSP, op, 0, 0, REQUEST_NOT_SUPPORTED]))
                elif self._pending is not None and not self._pending.done():
                    self._pending.set_result(pdu)
                else:
                    log.warning("unexpected PDU %s", pdu.hex())
        except (asyncio.CancelledError, OSError, ConnectionError) as exc:
            if self._pending is not None and not self._pending.done():
                self._pending.set_exception(BleakError(f"link lost: {exc!r}"))
            self._close_socket()

    async def _send(self, pdu):
        log.debug("ATT -> %s", pdu.hex())
        await asyncio.get_running_loop().sock_sendall(self._sock, pdu)

    async def _request(self, pdu, expected_op):
        """Send a request and wait for its response (30 s ATT transaction timeout, §3.3.3)."""
        if self._sock is None:
            raise BleakError("not connected")
        async with self._request_lock:
            self._pending = asyncio.get_running_loop().create_future()
            await self._send(pdu)
            try:
                rsp = await asyncio.wait_for(self._pending, 30)
            except asyncio.TimeoutError:
                raise BleakError(f"ATT timeout on request {pdu[:1].hex()}")
            finally:
                self._pending = None
        if rsp[0] == ERROR_RSP and len(rsp) == 5:
            req, handle, code = struct.unpack_from("<BHB", rsp, 1)
            raise AttError(req, handle, code)
        if rsp[0] != expected_op:
            raise BleakError(f"expected opcode 0x{expected_op:02X}, got {rsp.hex()}")
        return rsp

    # --- discovery (Core Vol 3 Part G §4.3–§4.7) -----------------------------------------

    async def _discover(self):
        rsp = await self._request(struct.pack("<BH", MTU_REQ, ATT_MTU), MTU_RSP)  # §3.4.2.1
        self.mtu = min(ATT_MTU, struct.unpack_from("<H", rsp, 1)[0])
        services = []  # (start, end, uuid): Read By Group Type on «Primary Service» 0x2800
        for item in await self._read_list(READ_BY_GROUP_REQ, READ_BY_GROUP_RSP, 1, 0xFFFF, 0x2800):
            start, end = struct.unpack_from("<HH", item)
            services.append((start, end, uuid_from_le(item[4:])))
        for start, end, suuid in services:
            chars = []  # Read By Type on «Characteristic» 0x2803 (Part G §3.3.1)
            for item in await self._read_list(READ_BY_TYPE_REQ, READ_BY_TYPE_RSP, start, end, 0x2803):
                decl, props, value = struct.unpack_from("<HBH", item)
                chars.append(Characteristic(uuid_from_le(item[5:]), decl, value, props))
            for i, c in enumerate(chars):  # descriptors lie between this value and the next decl
                last = chars[i + 1].handle - 1 if i + 1 < len(chars) else end
                if c.value_handle < last:
                    for handle, duuid in await self._find_information(c.value_handle + 1, last):
                        if duuid == BT_BASE_UUID.format(0x2902):
                            c.cccd_handle = handle
                self.services.by_uuid[c.uuid] = c
            log.info("service %s 0x%04X-0x%04X %s", suuid, start, end, chars)

    async def _read_list(self, req_op, rsp_op, start, end, type16):
        """Read By Group Type / Read By Type until Attribute Not Found (Part F §3.4.4)."""
        items = []
        while start <= end:
            try:
                rsp = await self._request(struct.pack("<BHHH", req_op, start, end, type16), rsp_op)
            except AttError as e:
                if e.code == ATTRIBUTE_NOT_FOUND:
                    break
                raise
            size = rsp[1]
            for off in range(2, len(rsp) - size + 1, size):
                items.append(rsp[off:off + size])
            last = struct.unpack_from("<H", items[-1], 2 if req_op == READ_BY_GROUP_REQ else 0)[0]
            if last >= end:
                break
            start = last + 1
        return items

    async def _find_information(self, start, end):
        """Find Information (Part F §3.4.3.1): format 1 = 16-bit UUIDs, 2 = 128-bit."""
        found = []
        while start <= end:
            try:
                rsp = await self._request(struct.pack("<BHH", FIND_INFO_REQ, start, end), FIND_INFO_RSP)
            except AttError as e:
                if e.code == ATTRIBUTE_NOT_FOUND:
                    break
                raise
            size = 4 if rsp[1] == 1 else 18
            for off in range(2, len(rsp) - size + 1, size):
                found.append((struct.unpack_from("<H", rsp, off)[0], uuid_from_le(rsp[off + 2:off + size])))
            start = found[-1][0] + 1
        return found

    # --- the BleakClient surface pyNukiBT calls -----------------------------------------------

    def _char(self, char_or_uuid):
        c = self.services.get_characteristic(getattr(char_or_uuid, "uuid", char_or_uuid))
        if c is None:
            raise BleakError(f"characteristic {char_or_uuid} not found")
        return c

    async def start_notify(self, char_or_uuid, callback, **_):
        c = self._char(char_or_uuid)
        if c.cccd_handle is None:
            raise BleakError(f"{c.uuid} has no CCCD")
        # CCCD bit 1 = indications, bit 0 = notifications (Part G §3.3.3.3).
        value = 0x0002 if c.properties & 0x20 else 0x0001
        await self._request(struct.pack("<BHH", WRITE_REQ, c.cccd_handle, value), WRITE_RSP)
        self._callbacks[c.value_handle] = (c, callback)

    async def write_gatt_char(self, char_or_uuid, data, response=True):
        c, data = self._char(char_or_uuid), bytes(data)
        if len(data) <= self.mtu - 3:  # Write Request (Part F §3.4.5.1)
            await self._request(struct.pack("<BH", WRITE_REQ, c.value_handle) + data, WRITE_RSP)
            return
        # Long write: Prepare Write chunks of MTU-5, then Execute Write 01 (Part F §3.4.6).
        for off in range(0, len(data), self.mtu - 5):
            part = data[off:off + self.mtu - 5]
            await self._request(struct.pack("<BHH", PREPARE_WRITE_REQ, c.value_handle, off) + part,
                                PREPARE_WRITE_RSP)
        await self._request(bytes([EXECUTE_WRITE_REQ, 0x01]), EXECUTE_WRITE_RSP)

    async def disconnect(self):
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
            self._reader = None
        self._close_socket()
        return True

    def _close_socket(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class AttError(BleakError):
    def __init__(self, req, handle, code):
        super().__init__(f"ATT error 0x{code:02X} on request 0x{req:02X} handle 0x{handle:04X}")
        self.req, self.handle, self.code = req, handle, code


# --- discovery folder and advertising ---------------------------------------------------------

def read_record(devices_dir, nuki_id):
    """The lock's discovery record: <dir>/54D272<last 3 bytes of the Nuki ID>.json."""
    path = os.path.join(devices_dir, f"54D272{nuki_id[2:].upper()}.json")
    deadline = time.monotonic() + 30
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise StepFailed(f"no discovery record at {path}")
        time.sleep(0.2)
    with open(path) as f:
        return json.load(f)


def parse_ad(adv_hex, scan_hex):
    """AD structures (Core Supplement Part A §1) → bleak's AdvertisementData, as BlueZ delivers them:
    the structures before one that overruns the data (BlueZ's EIR parser stops there), a name that
    is not UTF-8 with replacement characters. It stands in for the Bluetooth stack, so malformed
    advertising reaches pyNukiBT the way it would on a real machine instead of crashing here."""
    name, mfr, sdata = None, {}, {}
    for data in (bytes.fromhex(adv_hex), bytes.fromhex(scan_hex or "")):
        i = 0
        while i + 1 < len(data) and data[i] and i + 1 + data[i] <= len(data):
            length, kind, body = data[i], data[i + 1], data[i + 2:i + 1 + data[i]]
            if kind == 0x09:  # Complete Local Name
                name = body.decode(errors="replace")
            elif kind == 0xFF and len(body) >= 2:  # Manufacturer Specific Data: company id LE, then data
                mfr[int.from_bytes(body[:2], "little")] = body[2:]
            elif kind == 0x21 and len(body) >= 16:  # Service Data, 128-bit UUID
                sdata[uuid_from_le(body[:16])] = body[16:]
            i += 1 + length
    return AdvertisementData(local_name=name, manufacturer_data=mfr, service_data=sdata,
                             service_uuids=list(sdata), tx_power=None, rssi=-60, platform_data=())


# --- the run ------------------------------------------------------------------------------------

async def run(args):
    steps = []

    def step(name, ok, detail):
        print(f"[{'PASS' if ok else 'FAIL'}] {name}: {detail}", flush=True)
        steps.append(ok)
        if not ok:
            raise StepFailed(name)

    record = read_record(args.devices_dir, args.nuki_id)
    address = record["address"]
    adv = parse_ad(record["advertisingData"], record.get("scanResponse"))
    const = NukiUltraConst if args.ultra else NukiLockConst
    pairing_data = adv.service_data.get(const.BLE_PAIRING_SERVICE)
    step("advertising (pairing mode)",
         adv.local_name == f"Nuki_{args.nuki_id}" and pairing_data == bytes.fromhex(args.nuki_id),
         f"{address} {adv.local_name} service data {const.BLE_PAIRING_SERVICE}"
         f" = {pairing_data.hex() if pairing_data else None}")

    clients = []

    async def establish_connection(client_class, device, name, *a, **kw):
        # Replaces bleak_retry_connector.establish_connection as imported by pyNukiBT.nuki.
        client = SocketBleakClient(read_record(args.devices_dir, args.nuki_id)["socket"])
        await client.open()
        clients.append(client)
        return client

    pyNukiBT.nuki.establish_connection = establish_connection

    key = nacl.public.PrivateKey.generate()
    device = NukiDevice(address, None, None, bytes(key.public_key), bytes(key),
                        app_id=0x1A7C4E11, name="pyNukiBT interop",
                        client_type=NukiConst.NukiClientType.BRIDGE)
    seen = []  # (command, lock state, last status) for every Keyturner States / Status pushed
    device.subscribe(lambda cmd: seen.append((str(cmd), str(device.last_state["lock_state"])
                                              if device.last_state else None,
                                              str(device.last_action_status))))

    await device.connect()
    c = clients[-1]
    expected_type = NukiConst.NukiDeviceType.SMARTLOCK_ULTRA if args.ultra else NukiConst.NukiDeviceType.SMARTLOCK_1_2
    # An Ultra must not expose the Smart Lock pairing characteristic (pyNukiBT would take it for one).
    other_pairing = c.services.get_characteristic(NukiLockConst.BLE_PAIRING_CHAR) if args.ultra else None
    step("connect + GATT discovery", device.device_type == expected_type and other_pairing is None,
         f"MTU {c.mtu}, device type {device.device_type}, "
         f"pairing GDIO {const.BLE_PAIRING_CHAR[:8]} 0x{c._char(const.BLE_PAIRING_CHAR).value_handle:04X}, "
         f"USDIO 0x{c._char(NukiLockConst.BLE_CHAR).value_handle:04X}")

    if args.ultra:
        # pyNukiBT's Ultra path: Authorization Info, then Authorization Data encrypted under s with
        # auth id 0x7FFFFFFF and the u32 PIN, answered by the encrypted Authorization-ID.
        result = await device.pair(security_pin=args.pin)
        name = "pair (Ultra path, security PIN)"
    else:
        result = await device.pair()
        name = "pair (as Bridge)"
    step(name, len(result["auth_id"]) == 4 and len(result["nuki_public_key"]) == 32,
         f"auth id {int.from_bytes(result['auth_id'], 'little')}, "
         f"lock public key {result['nuki_public_key'].hex()}")

    # Once paired the lock advertises the iBeacon; feed it to pyNukiBT's own parser (§1.3).
    deadline = time.monotonic() + 5
    while True:
        record = read_record(args.devices_dir, args.nuki_id)
        adv = parse_ad(record["advertisingData"], record.get("scanResponse"))
        beacon = adv.manufacturer_data.get(76)
        if beacon or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    device._poll_needed = False
    device.parse_advertisement_data(BLEDevice(address, adv.local_name, None), adv)
    # iBeacon type 02 15, proximity UUID = keyturner service, major/minor = Nuki ID, then tx power.
    expected_beacon = bytes.fromhex("0215a92ee200550111e4916c0800200c9a66" + args.nuki_id)
    step("advertising (paired, iBeacon)",
         beacon is not None and beacon[:-1] == expected_beacon and device._poll_needed,
         f"manufacturer 0x004C {beacon.hex() if beacon else None}; "
         f"parse_advertisement_data accepted it (poll_needed={device._poll_needed})")

    await device.update_state()  # also fetches the config on the first call
    s = device.last_state
    step("update_state", s["nuki_state"] == NukiConst.State.DOOR_MODE and s["lock_state"] is not None,
         f"nuki_state={s['nuki_state']} lock_state={s['lock_state']} trigger={s['trigger']} "
         f"time={s['current_time']} battery={device.battery_percentage}%")

    L = NukiLockConst
    for action, final in ((L.LockAction.UNLOCK, L.LockState.UNLOCKED),
                          (L.LockAction.LOCK, L.LockState.LOCKED)):
        seen.clear()
        t0 = time.monotonic()
        msg = await device.lock_action(action, wait_for_completed=True)
        elapsed = time.monotonic() - t0
        pushed = device.last_state["lock_state"]  # from the lock's unsolicited Keyturner States
        states = [st for cmd, st, _ in seen if cmd == str(L.NukiCommand.KEYTURNER_STATES)]
        step(f"lock_action({action})",
             msg.status == NukiConst.StatusCode.COMPLETED and pushed == final,
             f"status {msg.status} after {elapsed:.1f}s; pushed states {states}; "
             f"last_state.lock_state={pushed}")
        await device.update_state()
        s = device.last_state
        step(f"update_state after {action}", s["lock_state"] == final and s["last_lock_action"] == action,
             f"lock_state={s['lock_state']} last_lock_action={s['last_lock_action']} "
             f"completion={s['last_lock_action_completion_status']}")

    await device.update_config()
    cfg = device.config
    firmware = ".".join(str(b) for b in cfg["firmware_version"])
    step("update_config", cfg["nuki_id"] == int(args.nuki_id, 16) and args.firmware in (None, firmware),
         f"nuki_id={cfg['nuki_id']:08X} name={cfg['name']!r} pairing_enabled={cfg['pairing_enabled']} "
         f"button_enabled={cfg['button_enabled']} firmware={list(cfg['firmware_version'])}")

    ok = await device.verify_security_pin(args.pin)
    step(f"verify_security_pin({args.pin})", ok is True, f"→ {ok}")
    quiet = logging.getLogger("pyNukiBT.nuki")  # it logs the expected K_ERROR_BAD_PIN as an error
    level, quiet.level = quiet.level, (quiet.level if args.verbose else logging.CRITICAL)
    wrong = (args.pin + 1) % (1000000 if args.ultra else 10000)
    bad = await device.verify_security_pin(wrong)
    quiet.setLevel(level)
    step(f"verify_security_pin({wrong}) (wrong)", bad is False, f"→ {bad}")

    # The beacon's tx-power byte bit 0 means "state changed, please poll" (§1.3). The lock sets it
    # when what Keyturner States show changes and clears it once a client has read them again.
    def poll_needed():
        record = read_record(args.devices_dir, args.nuki_id)
        adv = parse_ad(record["advertisingData"], record.get("scanResponse"))
        device._poll_needed = False
        device.parse_advertisement_data(BLEDevice(address, adv.local_name, None), adv)
        return adv.manufacturer_data[76][-1], device._poll_needed

    power, needed = poll_needed()
    step("beacon after update_state: nothing to poll", power == 0xC4 and needed is False,
         f"tx power byte 0x{power:02X} → pyNukiBT poll_needed={needed}")
    await device.lock_action(L.LockAction.UNLOCK, wait_for_completed=True)
    power, needed = poll_needed()
    step("beacon after a lock action: poll", power == 0xC5 and needed is True,
         f"tx power byte 0x{power:02X} → pyNukiBT poll_needed={needed}")
    await device.update_state()
    power, needed = poll_needed()
    step("beacon after update_state again: nothing to poll", power == 0xC4 and needed is False,
         f"tx power byte 0x{power:02X} → pyNukiBT poll_needed={needed}")

    await device.disconnect()
    return len(steps)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("devices_dir")
    p.add_argument("--nuki-id", default="2A37599A")
    p.add_argument("--pin", type=int, default=1234)
    p.add_argument("--firmware", help="the firmware X.Y.Z the lock must report in Config (its device profile's)")
    p.add_argument("--ultra", action="store_true", help="the lock pairs the Ultra way (lock serve --model ultra, or go on 5.x)")
    p.add_argument("--verbose", action="store_true", help="log every ATT PDU and pyNukiBT's debug")
    args = p.parse_args()
    args.nuki_id = args.nuki_id.upper()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(relativeCreated)7.0f %(name)s %(levelname)s %(message)s")
    try:
        n = asyncio.run(run(args))
    except StepFailed as e:
        print(f"FAILED at step: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # a pyNukiBT exception (error report, timeout) or a link failure
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(f"all {n} steps passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

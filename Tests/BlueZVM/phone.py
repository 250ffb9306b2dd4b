#!/usr/bin/env python3
"""The phone of the BlueZ VM lane: Bumble (an independent BLE host stack) against
`latchkey lock serve --transport bluez:hciN` on the guest kernel's Bluetooth stack.

One Bumble LocalLink carries two controllers: one is handed to the kernel over /dev/vhci (the
lock's hciN), the other backs an in-process Bumble Device, the phone. The phone scans, finds the
lock by its advertising, connects, discovers the Nuki services through Bumble's GATT client and
drives pyNukiBT (PyPI) — the phone's protocol code is not ours either — through a small adapter
that presents Bumble's GATT client as the slice of bleak's BleakClient pyNukiBT calls.

Scenario 2 (MTU 247 requested by Bumble): advertising in pairing mode (exact AD bytes), Set A
pairing as Bridge, the iBeacon once paired, Keyturner States, Lock Actions unlock and lock, and —
the phone being an admin now — Remove Authorization Entry (0x0008) for the fob of scenario 1.
Scenario 3 (MTU 23, Bumble's request): a second pairing (App) and a Lock Action with every Nuki
message longer than MTU−3 sent by Bumble as a long write (Prepare + Execute Write) and every lock
message longer than MTU−3 arriving as several indications, reassembled here (pyNukiBT does not
reassemble, docs/wire.md §1.2) before pyNukiBT parses them.

Prints one [PASS]/[FAIL] line per step and a JSON summary in OUT/phone.json. Exit 0 only when every
step passed. Usage: phone.py --latchkey PATH --state FILE --fob-state FILE --out DIR [--nuki-id ID]
"""
import time

T0 = time.monotonic()  # before the heavy imports: the step lines show where the guest's time goes

import argparse  # noqa: E402
import asyncio
import json
import logging
import os
import signal
import struct
import subprocess
import sys

import nacl.public
import nacl.utils
import pyNukiBT.nuki
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError
from bumble.controller import Controller
from bumble.core import PhysicalTransport
from bumble.device import Device, Peer
from bumble.gatt import GATT_CLIENT_CHARACTERISTIC_CONFIGURATION_DESCRIPTOR
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport import open_transport
from bumble.transport.common import AsyncPipeSink
from pyNukiBT import NukiConst, NukiDevice, NukiLockConst

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Interop"))
from pynukibt_shim import parse_ad, uuid_from_le  # noqa: E402  (AD parsing shared with the socket-link shim)

log = logging.getLogger("phone")
LOCK_CONTROLLER_ADDRESS = "C0:4C:00:00:00:02"  # the public address the kernel's hciN gets
PHONE_ADDRESS = "F0:50:48:4F:4E:45"  # the phone's random static address (two top bits set)
L = NukiLockConst


class StepFailed(Exception):
    pass


class ConnectionAddressLink(LocalLink):
    """Bumble's LocalLink stamps LE ACL data with the sender controller's random address; the
    kernel's controller advertises and connects with its public address, so the phone's controller
    would find "no connection for 00:00:00:00:00:00". Stamp it with the address the sender's
    connection to that peer uses instead (real-stacks.md §BLE)."""

    def send_acl_data(self, sender_controller, destination_address, transport, data):
        if transport != PhysicalTransport.LE:
            return super().send_acl_data(sender_controller, destination_address, transport, data)
        connection = next((c for c in sender_controller.le_connections.values()
                           if c.peer_address == destination_address), None)
        source = connection.self_address if connection else sender_controller.random_address
        destination = self.find_le_controller(destination_address)
        if destination is not None:
            asyncio.get_running_loop().call_soon(
                lambda: destination.on_link_acl_data(source, transport, data))


class Characteristic:
    """What pyNukiBT reads of a BleakGATTCharacteristic: `uuid`."""

    def __init__(self, proxy):
        self.proxy = proxy
        self.uuid = uuid_from_le(proxy.uuid.to_bytes(force_128=True))
        self.handle = proxy.handle


class Services:
    def __init__(self):
        self.by_uuid = {}

    def get_characteristic(self, uuid):
        return self.by_uuid.get(str(uuid).lower())


class Stats:
    """What the adapter saw on the ATT bearer (for scenario 3's assertions)."""

    def __init__(self):
        self.mtu = None
        self.writes = 0
        self.long_writes = 0
        self.longest_write = 0
        self.indications = 0
        self.largest_indication = 0
        self.messages = 0
        self.fragmented_messages = 0
        self.most_fragments = 0

    def as_dict(self):
        return dict(self.__dict__)


class Reassembler:
    """Joins indications into Nuki messages (docs/wire.md §1.2): an encrypted message is
    nonce[24] auth-id u32 length u16 + `length` octets; an unencrypted one is command u16 +
    a payload whose size the command fixes + CRC u16."""

    PLAIN_PAYLOAD = {0x0003: 32, 0x0004: 32, 0x0007: 84, 0x000E: 1, 0x0012: 3}

    def __init__(self, encrypted):
        self.encrypted = encrypted
        self.buffer = b""
        self.fragments = 0

    def expected_length(self):
        if self.encrypted:
            return 30 + struct.unpack_from("<H", self.buffer, 28)[0] if len(self.buffer) >= 30 else None
        if len(self.buffer) < 2:
            return None
        command = struct.unpack_from("<H", self.buffer, 0)[0]
        size = self.PLAIN_PAYLOAD.get(command)
        if size is None:
            raise StepFailed(f"unencrypted command 0x{command:04X} of unknown length")
        return 2 + size + 2

    def feed(self, value):
        """The whole message once `value` completes it, else None."""
        self.buffer += value
        self.fragments += 1
        total = self.expected_length()
        if total is None or len(self.buffer) < total:
            return None
        if len(self.buffer) > total:
            raise StepFailed(f"indications overran a {total}-octet message: {self.buffer.hex()}")
        message, self.buffer, fragments, self.fragments = self.buffer, b"", self.fragments, 0
        return message, fragments


class BumbleBleakClient:
    """The slice of BleakClient pyNukiBT 0.0.20 uses, over Bumble's GATT client."""

    def __init__(self, device, address, mtu, stats, reassemble):
        self.device, self.address, self.requested_mtu = device, address, mtu
        self.stats, self.reassemble = stats, reassemble
        self.services = Services()
        self.connection = None
        self.peer = None
        self.mtu = 23

    @property
    def is_connected(self):
        return self.connection is not None

    async def open(self):
        self.connection = await self.device.connect(self.address, timeout=15)
        self.connection.on("disconnection", self._lost)
        self.peer = Peer(self.connection)
        # Exchange MTU (Core Vol 3 Part F §3.4.2): Bumble asks; the result is min(ours, the lock's).
        self.mtu = await self.peer.request_mtu(self.requested_mtu)
        self.stats.mtu = self.mtu
        for service in await self.peer.discover_services():
            for proxy in await service.discover_characteristics():
                await self.peer.discover_descriptors(proxy)
                characteristic = Characteristic(proxy)
                self.services.by_uuid[characteristic.uuid] = characteristic

    def _lost(self, *_):
        self.connection = None

    def _char(self, char_or_uuid):
        c = self.services.get_characteristic(getattr(char_or_uuid, "uuid", char_or_uuid))
        if c is None:
            raise BleakError(f"characteristic {char_or_uuid} not found")
        return c

    async def start_notify(self, char_or_uuid, callback, **_):
        c = self._char(char_or_uuid)
        if c.proxy.get_descriptor(GATT_CLIENT_CHARACTERISTIC_CONFIGURATION_DESCRIPTOR) is None:
            raise BleakError(f"{c.uuid} has no CCCD")
        reassembler = Reassembler(encrypted=c.uuid != L.BLE_PAIRING_CHAR)
        loop = asyncio.get_running_loop()

        def indicated(value):
            value = bytes(value)
            self.stats.indications += 1
            self.stats.largest_indication = max(self.stats.largest_indication, len(value))
            if len(value) > self.mtu - 3:
                log.error("indication of %d octets > MTU-3 = %d", len(value), self.mtu - 3)
                self.stats.oversized = True
            if self.reassemble:
                whole = reassembler.feed(value)
                if whole is None:
                    return
                value, fragments = whole
            else:
                fragments = 1
            self.stats.messages += 1
            if fragments > 1:
                self.stats.fragmented_messages += 1
            self.stats.most_fragments = max(self.stats.most_fragments, fragments)
            loop.create_task(self._deliver(callback, c, value))

        await self.peer.subscribe(c.proxy, indicated, prefer_notify=False)

    @staticmethod
    async def _deliver(callback, c, value):
        try:  # pyNukiBT's handler re-raises unsolicited error reports
            await callback(c, bytearray(value))
        except Exception as exc:
            log.warning("notification handler raised %r", exc)

    async def write_gatt_char(self, char_or_uuid, data, response=True):
        c, data = self._char(char_or_uuid), bytes(data)
        self.stats.writes += 1
        self.stats.longest_write = max(self.stats.longest_write, len(data))
        if len(data) > self.mtu - 3:
            self.stats.long_writes += 1  # Bumble's write_value sends Prepare Writes + Execute Write
        try:
            await self.peer.write_value(c.proxy, data, with_response=True)
        except Exception as exc:
            raise BleakError(f"write {c.uuid}: {exc!r}") from exc

    async def disconnect(self):
        if self.connection is not None:
            connection, self.connection = self.connection, None
            try:
                await connection.disconnect()
            except Exception as exc:
                log.warning("disconnect: %r", exc)
        return True


# --- the run ------------------------------------------------------------------------------------

class Run:
    def __init__(self, args):
        self.args = args
        self.steps = []
        self.lock = None
        self.adverts = {}  # address → {"ad": bytes, "sr": bytes}

    def step(self, name, ok, detail):
        at = time.monotonic() - T0
        print(f"[{'PASS' if ok else 'FAIL'}] +{at:5.1f}s {name}: {detail}", flush=True)
        self.steps.append({"step": name, "ok": bool(ok), "detail": detail, "seconds": round(at, 1)})
        if not ok:
            raise StepFailed(name)

    async def scan_for(self, device, want, seconds=15):
        """The first advertiser for which want(ad, sr) holds, with its AD and scan response."""
        found = asyncio.get_running_loop().create_future()

        def on_advertisement(adv):
            entry = self.adverts.setdefault(str(adv.address), {"ad": b"", "sr": b"", "address": adv.address})
            entry["sr" if adv.is_scan_response else "ad"] = bytes(adv.data_bytes)
            if not adv.is_scan_response and not adv.is_connectable:
                return
            if not found.done() and entry["ad"] and want(entry["ad"], entry["sr"]):
                found.set_result(entry)

        self.adverts.clear()
        device.on("advertisement", on_advertisement)
        await device.start_scanning(active=True, filter_duplicates=False)
        try:
            return await asyncio.wait_for(found, seconds)
        finally:
            await device.stop_scanning()
            device.remove_listener("advertisement", on_advertisement)

    def pairing_ad(self, nuki_id):
        # 02 01 06 | 15 21 <pairing service a92ee100-5501-11e4-916c-0800200c9a66 LE> <Nuki ID BE>
        uuid_le = bytes.fromhex("a92ee100550111e4916c0800200c9a66")[::-1]
        return bytes.fromhex("020106" "1521") + uuid_le + bytes.fromhex(nuki_id)

    def beacon_ad(self, nuki_id, changed):
        return (bytes.fromhex("020106" "1aff4c000215" "a92ee200550111e4916c0800200c9a66")
                + bytes.fromhex(nuki_id) + bytes([0xC4 | (1 if changed else 0)]))

    def scan_response(self, nuki_id):
        name = f"Nuki_{nuki_id}".encode()
        return bytes([len(name) + 1, 0x09]) + name

    def start_lock(self, hci):
        a = self.args
        self.lock_log = open(os.path.join(a.out, "lock-bumble.log"), "w")
        self.lock = subprocess.Popen(
            [a.latchkey, "lock", "serve", "--transport", f"bluez:{hci}", "--state", a.state,
             "--pairing", "--format", "json", "--duration", "300"],
            stdout=self.lock_log, stderr=subprocess.STDOUT)

    def press_button(self):
        self.lock.send_signal(signal.SIGUSR1)

    def stop_lock(self):
        if self.lock and self.lock.poll() is None:
            self.lock.terminate()
            try:
                self.lock.wait(10)
            except subprocess.TimeoutExpired:
                self.lock.kill()
        if self.lock:
            self.lock_log.close()

    def nuki_device(self, device, address, stats, mtu, reassemble, name, client_type):
        clients = []

        async def establish_connection(client_class, ble_device, label, *a, **kw):
            # Replaces bleak_retry_connector.establish_connection as imported by pyNukiBT.nuki.
            client = BumbleBleakClient(device, address, mtu, stats, reassemble)
            await client.open()
            clients.append(client)
            return client

        pyNukiBT.nuki.establish_connection = establish_connection
        key = nacl.public.PrivateKey.generate()
        nuki = NukiDevice(address.to_string(False), None, None, bytes(key.public_key), bytes(key),
                          app_id=int.from_bytes(nacl.utils.random(4), "little") & 0x7FFFFFFF,
                          name=name, client_type=client_type)
        return nuki, clients

    def save_key(self, nuki):
        """Appends the shared key pyNukiBT derived in this pairing to OUT/phone-keys.txt (hex, one a
        line: `latchkey capture --key-file`), so the lane can open this session in btmon's capture.
        A throwaway key of a throwaway lock in a test VM."""
        with open(os.path.join(self.args.out, "phone-keys.txt"), "a") as f:
            f.write(nuki._shared_key.hex() + "\n")

    async def remove_authorization(self, nuki, auth_id, pin):
        """Remove Authorization Entry 0x0008 (docs/wire.md §4): authId u32, nK[32], PIN u16,
        encrypted with pyNukiBT's box and sent through its own request/response machinery."""
        challenge = await nuki._send_encrypted_command(
            L.NukiCommand.REQUEST_DATA, {"command": L.NukiCommand.CHALLENGE},
            expected_response=L.NukiCommand.CHALLENGE)
        plain = (nuki._auth_id + struct.pack("<H", 0x0008) + struct.pack("<I", auth_id)
                 + challenge.nonce + struct.pack("<H", pin))
        plain += pyNukiBT.nuki.crcCalc.calc(plain).to_bytes(2, "little")
        nonce = nacl.utils.random(24)
        encrypted = nuki._box.encrypt(plain, nonce)[24:]
        message = nonce + nuki._auth_id + len(encrypted).to_bytes(2, "little") + encrypted
        return await nuki._send_command(L.BLE_CHAR, message, expected_response=L.NukiCommand.STATUS)

    async def main(self):
        a = self.args
        if a.go:
            # Started early so the imports (tens of seconds under QEMU's TCG) overlap scenario 1.
            print(f"phone: imports done +{time.monotonic() - T0:.1f}s; waiting for {a.go}", flush=True)
            while not os.path.exists(a.go):
                await asyncio.sleep(0.1)
            print(f"phone: go +{time.monotonic() - T0:.1f}s", flush=True)
        nuki_id = a.nuki_id
        link = ConnectionAddressLink()
        # The lock's controller, handed to the kernel over /dev/vhci.
        before = set(os.listdir("/sys/class/bluetooth"))
        transport = await open_transport("vhci")
        lock_controller = Controller("lock", host_source=transport.source, host_sink=transport.sink, link=link,
                                     public_address=LOCK_CONTROLLER_ADDRESS)
        hci = None
        deadline = time.monotonic() + 10
        while hci is None and time.monotonic() < deadline:
            new = sorted(set(os.listdir("/sys/class/bluetooth")) - before)
            hci = next((n for n in new if ":" not in n), None)
            await asyncio.sleep(0.1)
        self.step("vhci controller", hci is not None, f"kernel {hci} on a Bumble controller, {LOCK_CONTROLLER_ADDRESS}")
        up = await asyncio.create_subprocess_exec("hciconfig", hci, "up")
        self.step(f"hciconfig {hci} up", await up.wait() == 0, "kernel controller powered")

        # The phone: a Bumble Device on a second controller of the same link.
        phone_controller = Controller("phone", link=link)
        device = Device(address=Address(PHONE_ADDRESS),
                        host=Host(phone_controller, AsyncPipeSink(phone_controller)))
        await device.power_on()

        self.start_lock(hci)
        try:
            return await self.scenarios(device, lock_controller, nuki_id)
        finally:
            # Stop the lock while this loop still runs the Bumble controller it talks to over
            # /dev/vhci: otherwise its last HCI commands wait for Command Complete in vain.
            await asyncio.get_running_loop().run_in_executor(None, self.stop_lock)

    async def scenarios(self, device, lock_controller, nuki_id):
        a = self.args
        t0 = time.monotonic()
        entry = await self.scan_for(device, lambda ad, sr: parse_ad(ad.hex(), sr.hex()).service_data.get(
            L.BLE_PAIRING_SERVICE) == bytes.fromhex(nuki_id))
        address = entry["address"]
        self.step("scan: pairing-mode advertising", entry["ad"] == self.pairing_ad(nuki_id),
                  f"{address} after {time.monotonic() - t0:.1f}s: AD {entry['ad'].hex()}")
        # Bumble's LocalLink models no SCAN_REQ/SCAN_RSP (its SCAN_RSP report repeats the advertising
        # data), so read the scan response the kernel set on the controller (LE Set Scan Response Data).
        response = bytes(lock_controller.le_legacy_advertiser.scan_response_data)
        self.step("scan response set over HCI", response[:15] == self.scan_response(nuki_id)
                  and not any(response[15:]), f"{response[:15].hex()} ({self.scan_response(nuki_id)[2:].decode()})")

        # --- scenario 2: MTU 247, pyNukiBT's pairing and a Lock Action ---
        stats2 = Stats()
        nuki, clients = self.nuki_device(device, address, stats2, 247, False, "Bumble phone", NukiConst.NukiClientType.BRIDGE)
        await nuki.connect()
        c = clients[-1]
        self.step("connect + GATT discovery (Bumble)", nuki.device_type == NukiConst.NukiDeviceType.SMARTLOCK_1_2,
                  f"MTU {c.mtu}; pairing GDIO 0x{c._char(L.BLE_PAIRING_CHAR).handle:04X}, "
                  f"USDIO 0x{c._char(L.BLE_CHAR).handle:04X}; {len(c.services.by_uuid)} characteristics")
        result = await nuki.pair()
        self.save_key(nuki)
        auth_id = int.from_bytes(result["auth_id"], "little")
        self.step("Set A pairing (pyNukiBT as Bridge)", len(result["nuki_public_key"]) == 32,
                  f"auth id {auth_id}, lock public key {result['nuki_public_key'].hex()}")

        entry = await self.scan_for(device, lambda ad, sr: ad[:9] == bytes.fromhex("0201061aff4c000215"))
        self.step("scan: iBeacon once paired", entry["ad"][:-1] == self.beacon_ad(nuki_id, False)[:-1]
                  and entry["ad"][-1] & 0xFE == 0xC4, f"AD {entry['ad'].hex()}")
        adv = parse_ad(entry["ad"].hex(), entry["sr"].hex())
        nuki._poll_needed = False
        nuki.parse_advertisement_data(BLEDevice(address.to_string(False), adv.local_name, None), adv)
        self.step("pyNukiBT parses the iBeacon", nuki._poll_needed is True,
                  f"parse_advertisement_data accepted it (poll_needed={nuki._poll_needed})")

        await nuki.update_state()
        s = nuki.last_state
        # The fob unlocked this lock in scenario 1 (same state file, other controller).
        self.step("Keyturner States", s["nuki_state"] == NukiConst.State.DOOR_MODE
                  and s["lock_state"] == L.LockState.UNLOCKED,
                  f"nuki_state={s['nuki_state']} lock_state={s['lock_state']}")
        for action, final in ((L.LockAction.UNLOCK, L.LockState.UNLOCKED), (L.LockAction.LOCK, L.LockState.LOCKED)):
            msg = await nuki.lock_action(action, wait_for_completed=True)
            await nuki.update_state()
            self.step(f"Lock Action {action}", msg.status == NukiConst.StatusCode.COMPLETED
                      and nuki.last_state["lock_state"] == final,
                      f"status {msg.status}; lock_state={nuki.last_state['lock_state']}")

        if a.fob_state:
            with open(a.fob_state) as f:
                fob_auth = json.load(f)["authID"]
            msg = await self.remove_authorization(nuki, fob_auth, a.pin)
            self.step("Remove Authorization Entry (the fob)", msg.status == NukiConst.StatusCode.COMPLETED,
                      f"fob auth id {fob_auth}: status {msg.status}")
        await nuki.disconnect()
        self.step("scenario 2 ATT bearer", stats2.mtu == 247 and stats2.long_writes == 0 and stats2.fragmented_messages == 0,
                  json.dumps(stats2.as_dict()))

        # --- scenario 3: MTU 23 — long writes and indications larger than MTU-3 ---
        self.press_button()
        await self.scan_for(device, lambda ad, sr: ad == self.pairing_ad(nuki_id))
        stats3 = Stats()
        nuki3, clients3 = self.nuki_device(device, address, stats3, 23, True, "Bumble MTU 23", NukiConst.NukiClientType.APP)
        await nuki3.connect()
        result = await nuki3.pair()
        self.save_key(nuki3)
        self.step("Set A pairing at MTU 23 (pyNukiBT as App)", len(result["auth_id"]) == 4,
                  f"auth id {int.from_bytes(result['auth_id'], 'little')}")
        await nuki3.update_state()
        msg = await nuki3.lock_action(L.LockAction.UNLOCK, wait_for_completed=True)
        await nuki3.update_state()
        self.step("Lock Action unlock at MTU 23", msg.status == NukiConst.StatusCode.COMPLETED
                  and nuki3.last_state["lock_state"] == L.LockState.UNLOCKED,
                  f"status {msg.status}; lock_state={nuki3.last_state['lock_state']}")
        await nuki3.disconnect()
        self.step("scenario 3: MTU negotiated by Bumble", stats3.mtu == 23, f"ATT_MTU {stats3.mtu}")
        self.step("scenario 3: long writes", stats3.long_writes >= 4 and stats3.longest_write > stats3.mtu - 3,
                  f"{stats3.long_writes} of {stats3.writes} writes longer than MTU-3 = {stats3.mtu - 3} "
                  f"(longest {stats3.longest_write} octets)")
        self.step("scenario 3: indications > MTU-3 fragmented",
                  stats3.fragmented_messages >= 3 and stats3.largest_indication <= stats3.mtu - 3
                  and not getattr(stats3, "oversized", False),
                  f"{stats3.fragmented_messages} of {stats3.messages} lock messages came in several indications "
                  f"(up to {stats3.most_fragments}); largest indication {stats3.largest_indication} octets")
        print(f"phone: main returns +{time.monotonic() - T0:.1f}s", flush=True)
        return stats2, stats3


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--latchkey", required=True)
    p.add_argument("--state", required=True, help="the lock's state file (shared with scenario 1)")
    p.add_argument("--fob-state", help="the fob's state file: its auth id is removed")
    p.add_argument("--out", required=True)
    p.add_argument("--nuki-id", default="2A37599A")
    p.add_argument("--pin", type=int, default=1234)
    p.add_argument("--go", help="wait until this file exists before starting (imports first)")
    p.add_argument("--verbose", action="store_true")
    a = p.parse_args()
    a.nuki_id = a.nuki_id.upper()
    logging.basicConfig(level=logging.DEBUG if a.verbose else logging.WARNING,
                        format="%(relativeCreated)7.0f %(name)s %(levelname)s %(message)s")
    run = Run(a)
    status, stats = 1, None
    try:
        stats = asyncio.run(asyncio.wait_for(run.main(), 420))
        status = 0
    except StepFailed as e:
        print(f"FAILED at step: {e}", file=sys.stderr)
    except Exception as e:
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr)
    finally:
        print(f"phone: scenarios done +{time.monotonic() - T0:.1f}s", flush=True)
        run.stop_lock()
        print(f"phone: lock stopped +{time.monotonic() - T0:.1f}s", flush=True)
    with open(os.path.join(a.out, "phone.json"), "w") as f:
        json.dump({"steps": run.steps, "ok": status == 0,
                   "stats": [s.as_dict() for s in stats] if stats else None}, f, indent=1)
    passed = sum(s["ok"] for s in run.steps)
    print(f"phone: {passed} passed, {len(run.steps) - passed} failed (+{time.monotonic() - T0:.1f}s)", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""pyNukiBT 0.0.20 as a client command for `latchkey fuzz-client` (issue 14 item 5).

It finds the lock the way `latchkey fuzz-client` tells every client command: the discovery record
of LATCHKEY_FUZZ_NUKI_ID in LATCHKEY_DEVICES_DIR, reached through pynukibt_shim.py's socket-link
BleakClient. It hands the record's advertising to pyNukiBT's parse_advertisement_data (as Home
Assistant does with every advertisement of the lock's address; pyNukiBT identifies its lock by
address and reads the iBeacon only for the state-changed bit). Then pyNukiBT's own calls, each a
step: connect (GATT discovery), pair (as Bridge),
update_state, lock_action(UNLOCK, wait_for_completed=True), update_config,
verify_security_pin(LATCHKEY_FUZZ_PIN).

The contract with fuzz-client:
- every step returned: prints "all steps passed", exit 0 (success);
- a step raised an error pyNukiBT raises on purpose when it refuses a reply or gets none
  (NukiErrorException, nacl CryptoError for a bad MAC, construct ChecksumError for a bad CRC,
  TimeoutError, BleakError): prints "refused at STEP: …", exit 1;
- any other exception is not caught: Python prints its traceback and exits 1, which fuzz-client
  classifies as a crash (the library met input it did not handle).

pyNukiBT's reply timeout is set to 2 s with 2 attempts (command_response_timeout, response_retry;
its defaults are 20 s and 3), so a missing reply costs seconds, not a minute.
"""
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import construct  # noqa: E402
import nacl.exceptions  # noqa: E402
import nacl.public  # noqa: E402
import pyNukiBT.nuki  # noqa: E402
from bleak.backends.device import BLEDevice  # noqa: E402
from bleak.exc import BleakError  # noqa: E402
from pyNukiBT import NukiConst, NukiDevice, NukiLockConst  # noqa: E402
from pyNukiBT.nuki import NukiErrorException  # noqa: E402

import pynukibt_shim as shim  # noqa: E402

REFUSALS = (NukiErrorException, nacl.exceptions.CryptoError, construct.core.ChecksumError,
            asyncio.TimeoutError, TimeoutError, BleakError)


class Refused(Exception):
    pass


async def run(devices_dir, nuki_id, pin):
    record = shim.read_record(devices_dir, nuki_id)

    async def establish_connection(client_class, device, name, *a, **kw):
        client = shim.SocketBleakClient(shim.read_record(devices_dir, nuki_id)["socket"])
        await client.open()
        return client

    pyNukiBT.nuki.establish_connection = establish_connection
    key = nacl.public.PrivateKey.generate()
    device = NukiDevice(record["address"], None, None, bytes(key.public_key), bytes(key),
                        app_id=0x1A7C4E11, name="pyNukiBT fuzz",
                        client_type=NukiConst.NukiClientType.BRIDGE)
    device.command_response_timeout = 2
    device.response_retry = 2
    device.send_retry = 2

    async def step(name, call):
        try:
            result = await call
        except REFUSALS as e:
            raise Refused(f"refused at {name}: {type(e).__name__}: {e}")
        print(f"ok {name}: {result!r}"[:300], flush=True)
        return result

    # What a Home Assistant integration does with every advertisement of its lock's address: hand
    # it to pyNukiBT (the beacon's state-changed bit says "poll"). Malformed advertising arrives as
    # the Bluetooth stack delivers it (shim.parse_ad); an exception from pyNukiBT here is a crash.
    advertisement = shim.parse_ad(record["advertisingData"], record.get("scanResponse"))
    device.parse_advertisement_data(BLEDevice(record["address"], advertisement.local_name, None), advertisement)
    print(f"ok advertisement: {advertisement.local_name!r} poll needed {device.poll_needed()}", flush=True)

    await step("connect", device.connect())
    await step("pair", device.pair())
    await step("update_state", device.update_state())
    await step("lock_action(UNLOCK)", device.lock_action(NukiLockConst.LockAction.UNLOCK, wait_for_completed=True))
    await step("update_config", device.update_config())
    await step(f"verify_security_pin({pin})", device.verify_security_pin(pin))
    await device.disconnect()


def main():
    devices_dir = os.environ["LATCHKEY_DEVICES_DIR"]
    nuki_id = os.environ.get("LATCHKEY_FUZZ_NUKI_ID", "2A37599A").upper()
    pin = int(os.environ.get("LATCHKEY_FUZZ_PIN", "1234"))
    try:
        asyncio.run(run(devices_dir, nuki_id, pin))
    except Refused as e:
        print(str(e), flush=True)
        return 1
    print("all steps passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

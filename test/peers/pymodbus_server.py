#!/usr/bin/python3
"""Independent Modbus peer for Baseline's tests: Debian's python3-pymodbus serving known values.

Usage: pymodbus_server.py VALUES.json [--rtu SERIAL_PORT --baud N]
VALUES.json: {"unit": 1, "hr": [..], "ir": [..], "co": [..], "di": [..],
              "identity": {"VendorName": "..", "ProductCode": "..", "MajorMinorRevision": ".."}}
TCP: listens on 127.0.0.1 with a port chosen by the OS and prints "READY <port>".
RTU: serves on the given serial device (one end of a socat pty pair) and prints "READY <device>".
"""
import asyncio
import json
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.device import ModbusDeviceIdentification
from pymodbus.server.async_io import ModbusSerialServer, ModbusTcpServer
from pymodbus.transaction import ModbusRtuFramer


def build(values):
    def block(name, default):
        data = values.get(name) or [default]
        return ModbusSequentialDataBlock(0, data)

    slave = ModbusSlaveContext(
        hr=block("hr", 0), ir=block("ir", 0), co=block("co", False), di=block("di", False), zero_mode=True
    )
    context = ModbusServerContext(slaves={values.get("unit", 1): slave}, single=False)
    identity = ModbusDeviceIdentification(info_name=values.get("identity") or {})
    return context, identity


async def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        values = json.load(f)
    context, identity = build(values)
    if "--rtu" in sys.argv:
        port = sys.argv[sys.argv.index("--rtu") + 1]
        baud = int(sys.argv[sys.argv.index("--baud") + 1]) if "--baud" in sys.argv else 19200
        server = ModbusSerialServer(context, framer=ModbusRtuFramer, identity=identity, port=port, baudrate=baud)
        await server.start()  # opens the serial device; serve_forever alone only sleeps
        print(f"READY {port}", flush=True)
        await server.serve_forever()
        return
    server = ModbusTcpServer(context, identity=identity, address=("127.0.0.1", 0))
    task = asyncio.ensure_future(server.serve_forever())
    await server.serving
    print(f"READY {server.server.sockets[0].getsockname()[1]}", flush=True)
    await task


if __name__ == "__main__":
    asyncio.run(main())

# A second peer for cli-start-bench.ts: a Modbus TCP server in 40 lines of Python that answers every request at
# once (the simulator, modbus-serial's ServerTCP, answers each one after a timer of at least 1 ms). Read Holding
# and Read Input Registers return each register's address as its value; any other function gets exception 01
# (illegal function), which is how a controller without device identification answers the capture's 0x2B request.
# Listens on 127.0.0.1 only, on a port the OS picks, and prints it. Usage: python3 modbus_raw_peer.py
import socket, struct, sys

server = socket.socket()
server.bind(('127.0.0.1', 0))
server.listen(4)
print(f'listening on 127.0.0.1:{server.getsockname()[1]}', flush=True)


def recv_exact(conn, n):
    data = b''
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


while True:
    conn, _ = server.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        head = recv_exact(conn, 7)
        pdu = head and recv_exact(conn, struct.unpack('>H', head[4:6])[0] - 1)
        if not pdu:
            break
        tid, unit, fn = struct.unpack('>H', head[0:2])[0], head[6], pdu[0]
        if fn in (3, 4) and len(pdu) == 5:
            start, qty = struct.unpack('>HH', pdu[1:5])
            body = struct.pack(f'>BB{qty}H', fn, qty * 2, *((start + i) & 0xFFFF for i in range(qty)))
        else:
            body = struct.pack('>BB', fn | 0x80, 1)
        conn.sendall(struct.pack('>HHHB', tid, 0, len(body) + 1, unit) + body)
    conn.close()
sys.exit(0)

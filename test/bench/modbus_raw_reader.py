# The floor for `baseline capture` (cli-start-bench.ts): read N holding registers from a Modbus TCP peer with raw
# socket requests (Read Holding Registers, 125 registers each), no library. Usage: HOST PORT UNIT COUNT.
import socket, struct, sys

host, port, unit, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sock = socket.create_connection((host, port), timeout=3)
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

def recv_exact(n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk: raise SystemExit('peer closed the connection')
        data += chunk
    return data

values, requests = [], 0
for start in range(0, count, 125):
    qty = min(125, count - start)
    requests += 1
    sock.sendall(struct.pack('>HHHBBHH', requests, 0, 6, unit, 3, start, qty))
    tid, _, length, _, fn = struct.unpack('>HHHBB', recv_exact(8))
    body = recv_exact(length - 2)
    if fn != 3 or tid != requests: raise SystemExit(f'exception or wrong answer at register {start}: {body.hex()}')
    values += struct.unpack(f'>{qty}H', body[1:])
print(f'{{"registers": {len(values)}, "requests": {requests}}}')

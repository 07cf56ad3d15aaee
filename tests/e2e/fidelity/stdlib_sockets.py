"""Fidelity: sockets print as python prints them (descriptor, family, type,
protocol, the local and peer addresses the kernel reports, [closed]), without
pyhd reaching them: a rebuilt socket is a look-alike that sends, receives and
closes nothing."""
import os
import socket


def crash(path):
    left, right = socket.socketpair()
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.settimeout(2.5)
    udp6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    done = socket.socket()
    done.close()
    sockets = [left, tcp, done]
    raise ConnectionResetError("peer %s went away" % (right.fileno(),))


try:
    crash("fidelity.sock")
finally:
    if os.path.exists("fidelity.sock"):
        os.unlink("fidelity.sock")

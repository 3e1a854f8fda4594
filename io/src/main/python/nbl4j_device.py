"""User-mode client of an nbl4j driver's device, for programs that are not on the JVM.

A driver's symbolic link is a Unix-domain socket in the stack's device directory (docs/devices.md). This module
speaks that socket's protocol with the Win32 names: CreateFile, DeviceIoControl (synchronous, or overlapped with a
request id), CancelIoEx, CloseHandle; and Map with DeviceIoControlMapped, whose output buffer is memory the client
shares with the driver, as the direct I/O methods give a Windows driver the caller's own pages. Standard library only.
"""

import mmap
import os
import socket
import struct

OP_CREATE = 1
OP_IOCTL = 2
OP_CANCEL = 3
OP_CLOSE = 4
OP_MAP = 5
OP_IOCTL_MAPPED = 6

STATUS_SUCCESS = 0x00000000
STATUS_PENDING = 0x00000103
STATUS_CANCELLED = -0x3FFFFEE0  # 0xC0000120 as a signed NTSTATUS

METHOD_BUFFERED = 0
METHOD_IN_DIRECT = 1
METHOD_OUT_DIRECT = 2
METHOD_NEITHER = 3
FILE_ANY_ACCESS = 0
FILE_READ_ACCESS = 1
FILE_WRITE_ACCESS = 2
FILE_DEVICE_UNKNOWN = 0x22

_REQUEST = struct.Struct("<IBxxxI")
_IOCTL = struct.Struct("<II")
_IOCTL_MAPPED = struct.Struct("<IIQ")
_REPLY = struct.Struct("<IiQ")


def CTL_CODE(device_type, function, method, access):
    """The control code devioctl.h's CTL_CODE macro makes."""
    return (device_type << 16) | (access << 14) | (function << 2) | method


def NT_SUCCESS(status):
    """Success and informational statuses are non-negative."""
    return status >= 0


class DeviceError(OSError):
    """CreateFile failed, or the device's connection ended."""


class Result:
    """What a request returned: the IRP's IoStatus.Status and .Information, and the output bytes."""

    __slots__ = ("status", "information", "output")

    def __init__(self, status, information, output):
        self.status = status
        self.information = information
        self.output = output

    def __repr__(self):
        return "Result(status=0x%08x, information=%d, output=%r)" % (
            self.status & 0xFFFFFFFF, self.information, self.output)


class Handle:
    """One open handle (one connection). Not thread-safe: use one per thread, or lock around it."""

    def __init__(self, sock):
        self._sock = sock
        self._next_id = 1
        self._replies = {}
        self._mapping = None

    def _id(self):
        request_id = self._next_id
        self._next_id += 1
        return request_id

    def _send(self, op, request_id, payload=b""):
        self._sock.sendall(_REQUEST.pack(8 + len(payload), op, request_id) + payload)

    def _recv_exactly(self, length):
        data = bytearray()
        while len(data) < length:
            chunk = self._sock.recv(length - len(data))
            if not chunk:
                raise DeviceError("the device closed the connection")
            data += chunk
        return bytes(data)

    def _read_reply(self):
        (length,) = struct.unpack("<I", self._recv_exactly(4))
        frame = self._recv_exactly(length)
        request_id, status, information = _REPLY.unpack_from(frame)
        self._replies[request_id] = Result(status, information, frame[_REPLY.size:])

    def wait(self, request_id):
        """GetOverlappedResult(..., bWait=TRUE): the result of an overlapped request, reading replies until it comes."""
        while request_id not in self._replies:
            self._read_reply()
        return self._replies.pop(request_id)

    def GetQueuedCompletionStatus(self):
        """The next overlapped request to complete, in completion order, as an I/O completion port gives it:
        (request_id, Result). Reads a reply unless one was read already (by wait() of another request)."""
        if not self._replies:
            self._read_reply()
        request_id = next(iter(self._replies))
        return request_id, self._replies.pop(request_id)

    def poll(self, request_id):
        """The result of an overlapped request if it came already, else None (reads nothing)."""
        return self._replies.pop(request_id, None)

    def DeviceIoControlAsync(self, code, input_buffer=b"", output_length=0):
        """DeviceIoControl with an OVERLAPPED: sends the request and returns its id for wait()/CancelIoEx()."""
        request_id = self._id()
        self._send(OP_IOCTL, request_id, _IOCTL.pack(code, output_length) + bytes(input_buffer))
        return request_id

    def DeviceIoControl(self, code, input_buffer=b"", output_length=0):
        """DeviceIoControl without an OVERLAPPED: waits for the IRP to complete."""
        return self.wait(self.DeviceIoControlAsync(code, input_buffer, output_length))

    def Map(self, path, size):
        """Creates (mode 0600) or opens the file at path (absolute), sizes it to at least size bytes, maps it shared
        and asks the server to map the same file (MAP): the handle's memory for DeviceIoControlMapped's output buffers,
        returned as an mmap. Raises DeviceError with the server's status if it refuses (the file must be the caller's
        own regular file; one mapping per handle)."""
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < size:
                os.ftruncate(fd, size)
            memory = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)
        request_id = self._id()
        self._send(OP_MAP, request_id, struct.pack("<Q", size) + os.fsencode(path))
        result = self.wait(request_id)
        if not NT_SUCCESS(result.status):
            memory.close()
            raise DeviceError("MAP of %s failed: 0x%08x" % (path, result.status & 0xFFFFFFFF))
        self._mapping = memory
        return memory

    def DeviceIoControlMappedAsync(self, code, input_buffer=b"", output_offset=0, output_length=0):
        """DeviceIoControl with an OVERLAPPED whose output buffer is [output_offset, output_offset + output_length) of
        the mapping: with the direct methods the driver's MDL maps it, so its writes are there while the request is
        pending; with METHOD_BUFFERED the output is copied there at completion. The result carries no output bytes."""
        request_id = self._id()
        self._send(OP_IOCTL_MAPPED, request_id,
                   _IOCTL_MAPPED.pack(code, output_length, output_offset) + bytes(input_buffer))
        return request_id

    def DeviceIoControlMapped(self, code, input_buffer=b"", output_offset=0, output_length=0):
        """DeviceIoControlMappedAsync, waiting for the IRP to complete."""
        return self.wait(self.DeviceIoControlMappedAsync(code, input_buffer, output_offset, output_length))

    def CancelIoEx(self, request_id):
        """Asks for one overlapped request to be cancelled; its own result tells how it ended."""
        self._send(OP_CANCEL, request_id)

    def CloseHandle(self):
        """Cancels what is pending, then the driver sees IRP_MJ_CLEANUP and IRP_MJ_CLOSE."""
        request_id = self._id()
        try:
            self._send(OP_CLOSE, request_id)
            self.wait(request_id)
        finally:
            self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.CloseHandle()


def CreateFile(path):
    """Opens the device whose link is the socket at path; raises DeviceError if the driver fails IRP_MJ_CREATE."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    handle = Handle(sock)
    request_id = handle._id()
    handle._send(OP_CREATE, request_id)
    result = handle.wait(request_id)
    if not NT_SUCCESS(result.status):
        sock.close()
        raise DeviceError("CreateFile(%s) failed: 0x%08x" % (path, result.status & 0xFFFFFFFF))
    return handle

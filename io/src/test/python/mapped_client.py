"""The Python side of MappedBuffersTest.pythonClient: a mapped OUT_DIRECT request the driver writes through while it
is pending, seen in the script's own mapping before the request completes."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "main", "python"))

import nbl4j_device as dev  # noqa: E402

# RingDriver's control codes
IOCTL_PARK = dev.CTL_CODE(dev.FILE_DEVICE_UNKNOWN, 0x910, dev.METHOD_OUT_DIRECT, dev.FILE_ANY_ACCESS)
IOCTL_WRITE = dev.CTL_CODE(dev.FILE_DEVICE_UNKNOWN, 0x911, dev.METHOD_BUFFERED, dev.FILE_ANY_ACCESS)
IOCTL_RELEASE = dev.CTL_CODE(dev.FILE_DEVICE_UNKNOWN, 0x912, dev.METHOD_BUFFERED, dev.FILE_ANY_ACCESS)

socket_path, ring_path = sys.argv[1], sys.argv[2]
with dev.CreateFile(socket_path) as app:
    ring = app.Map(ring_path, 4096)
    parked = app.DeviceIoControlMappedAsync(IOCTL_PARK, b"head", 100, 64)
    deadline = time.monotonic() + 10
    while ring[100:104] != b"head" and time.monotonic() < deadline:
        time.sleep(0.001)
    print("parked=%r" % ring[100:104])
    assert dev.NT_SUCCESS(app.DeviceIoControl(IOCTL_WRITE, b"+more").status)
    print("pending=%s while=%r" % (app.poll(parked) is None, ring[100:109]))
    assert dev.NT_SUCCESS(app.DeviceIoControl(IOCTL_RELEASE, b"!").status)
    released = app.wait(parked)
    print("released=%d information=%d output=%r ring=%r" % (
        released.status, released.information, released.output, ring[100:110]))

"""The Python side of DeviceSocketsTest.pythonClient: drives the doorbell driver, then dies with a wait pending."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "main", "python"))

import nbl4j_device as dev  # noqa: E402

IOCTL_ECHO = dev.CTL_CODE(dev.FILE_DEVICE_UNKNOWN, 0x900, dev.METHOD_BUFFERED, dev.FILE_ANY_ACCESS)
IOCTL_WAIT = dev.CTL_CODE(dev.FILE_DEVICE_UNKNOWN, 0x901, dev.METHOD_BUFFERED, dev.FILE_ANY_ACCESS)
IOCTL_RING = dev.CTL_CODE(dev.FILE_DEVICE_UNKNOWN, 0x902, dev.METHOD_BUFFERED, dev.FILE_ANY_ACCESS)

path = sys.argv[1]
app = dev.CreateFile(path)
bell = dev.CreateFile(path)

echo = app.DeviceIoControl(IOCTL_ECHO, b"hello", 16)
assert dev.NT_SUCCESS(echo.status), echo
print("echo=%r" % echo.output)

first = app.DeviceIoControlAsync(IOCTL_WAIT, b"", 8)
app.DeviceIoControl(IOCTL_ECHO)  # replies come in completion order: the wait is queued once this one is back
ring = bell.DeviceIoControl(IOCTL_RING, b"ding")
assert dev.NT_SUCCESS(ring.status), ring
print("rung=%r" % app.wait(first).output)

second = app.DeviceIoControlAsync(IOCTL_WAIT, b"", 8)
app.DeviceIoControl(IOCTL_ECHO)
app.CancelIoEx(second)
print("cancelled=%s" % (app.wait(second).status == dev.STATUS_CANCELLED))

bell.CloseHandle()
app.DeviceIoControlAsync(IOCTL_WAIT, b"", 8)
app.DeviceIoControl(IOCTL_ECHO)
sys.stdout.flush()
os._exit(0)  # dies with the wait pending: the stack must cancel it, then send CLEANUP and CLOSE

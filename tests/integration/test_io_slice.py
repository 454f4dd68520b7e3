"""IO_THREAD_SLICE: each I/O thread of the real server asks the kernel for
the slice configured (100 µs by default); the server's other threads keep
the kernel's. On a kernel before 6.12 no thread has a slice of its own."""

import os
import unittest

from harness import Server, kernel_has_custom_slices, thread_slice_us


def slices(server):
    """{thread name: {slices its threads have}}"""
    found = {}
    for name, slice_us in server.thread_slices():
        found.setdefault(name, set()).add(slice_us)
    return found


class IoThreadSlice(unittest.TestCase):
    def setUp(self):
        # What a thread that asked for nothing has: the kernel's slice.
        self.kernels = thread_slice_us(os.getpid())
        self.custom = kernel_has_custom_slices()

    def expect(self, slice_us):
        return slice_us if self.custom else self.kernels

    def test_the_io_threads_ask_for_100us_and_no_other_thread_does(self):
        server = self.enterContext(Server("--browser", "none", "--io-threads", "2"))
        found = slices(server)
        self.assertEqual(found.pop("agenttheo.io"), {self.expect(100)})
        self.assertTrue(found)
        self.assertEqual({n: s for n, s in found.items() if s != {self.kernels}}, {})

    def test_a_configured_slice_is_the_one_asked_for(self):
        server = self.enterContext(Server("--browser", "none",
                                          "--io-thread-slice", "2ms"))
        self.assertEqual(slices(server)["agenttheo.io"], {self.expect(2000)})

    def test_off_leaves_the_kernels_slice(self):
        server = self.enterContext(Server("--browser", "none",
                                          "--io-thread-slice", "off"))
        self.assertEqual({s for v in slices(server).values() for s in v},
                         {self.kernels})


if __name__ == "__main__":
    unittest.main()

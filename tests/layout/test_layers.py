"""The include rules of the README's Layout table, checked on the tree."""
import pathlib
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECK = ROOT / "tools" / "check_layers.py"


def check(root):
    return subprocess.run([sys.executable, str(CHECK), str(root)],
                          capture_output=True, text=True, timeout=60)


class LayerTest(unittest.TestCase):
    def test_the_tree_keeps_its_layers(self):
        result = check(ROOT)
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertRegex(result.stdout, r"layers: [1-9]\d* files checked, 0 violations")

    def make_tree(self, files):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        root = pathlib.Path(tmp.name)
        for folder in ["util", "config", "metrics", "messages", "protocol",
                       "llm", "browser", "store", "cli", "web", "actors", "streams",
                       "http", "app"]:
            (root / folder).mkdir()
        for name, text in files.items():
            (root / name).parent.mkdir(exist_ok=True)
            (root / name).write_text(text)
        return root

    def test_an_upward_include_fails(self):
        root = self.make_tree({
            "messages/event.hpp": '#include "actors/session.hpp"\n',
            "actors/session.hpp": '#include "messages/event.hpp"\n'})
        result = check(root)
        self.assertEqual(result.returncode, 1)
        self.assertIn("messages/event.hpp: #include actors/session.hpp", result.stdout)
        self.assertIn("1 violations", result.stdout)

    def test_the_two_sides_meet_only_in_protocol(self):
        root = self.make_tree({
            "http/listener.cpp": '#include "streams/caf_bridge.hpp"\n',
            "streams/sse_connection.cpp": '#include "http/beast.hpp"\n'})
        self.assertIn("2 violations", check(root).stdout)

    def test_third_party_headers_follow_the_layer(self):
        root = self.make_tree({
            "protocol/routes.cpp": "#include <caf/actor.hpp>\n",
            "actors/session.cpp": "#include <boost/asio.hpp>\n",
            "messages/messages.hpp": "#include <caf/all.hpp>\n#include <caf/atom.hpp>\n"})
        result = check(root)
        self.assertIn("3 violations", result.stdout)
        self.assertNotIn("caf/atom.hpp", result.stdout)

    def test_a_new_folder_needs_a_row(self):
        root = self.make_tree({"cache/lru.cpp": "int x;\n"})
        self.assertIn("cache/: holds C++ sources but has no row", check(root).stdout)


if __name__ == "__main__":
    unittest.main()

"""Table tests for the pure parts of the linksdev.links modules: version
parsing, the diff of a plan, the conflict message. Run with the installed
collection on the path:

    PYTHONPATH=COLLECTIONS_DIR python3 -m unittest discover -s ansible/tests/unit
"""

import unittest

from ansible_collections.linksdev.links.plugins.module_utils.links import MIN_VERSION, parse_version
from ansible_collections.linksdev.links.plugins.modules.manifest import conflict_msg, diff_of


class ParseVersion(unittest.TestCase):
    def test_table(self):
        cases = [
            ("v0.1.0", (0, 1, 0)),
            ("0.1.0", (0, 1, 0)),
            ("v1.12.3", (1, 12, 3)),
            ("v0.2.0-rc.1", (0, 2, 0)),
            ("v0.1.1-0.20260210153000-abcdef123456", (0, 1, 1)),  # a commit after v0.1.0
            ("v0.1.0+dirty", (0, 1, 0)),
            ("devel", None),
            ("(devel)", None),
            ("v0.0.0-20260210153000-abcdef123456", None),  # no tag yet: a development build
        ]
        for text, want in cases:
            with self.subTest(text=text):
                self.assertEqual(parse_version(text), want)

    def test_not_a_version(self):
        for text in ("1.2", "latest", "v1", "links 0.1.0"):
            with self.subTest(text=text):
                with self.assertRaises(ValueError):
                    parse_version(text)

    def test_too_old(self):
        self.assertLess(parse_version("v0.0.9"), MIN_VERSION)
        self.assertGreaterEqual(parse_version("v0.1.0"), MIN_VERSION)


def change(action, dest, before, after, name="n", backup="", reason=""):
    return dict(name=name, dest=dest, action=action, before=before, after=after, backup=backup, reason=reason)


MISSING = {"type": "missing"}


def sym(text):
    return {"type": "symlink", "link": text}


class Diff(unittest.TestCase):
    def test_table(self):
        cases = [
            ("noop is left out", change("noop", "a", sym("x"), sym("x")), None),
            ("create", change("create", "a", MISSING, sym("x"), name="live"),
             dict(before_header="a (live, create)", before="absent\n",
                  after_header="a (live, create)", after="symlink -> x\n")),
            ("update", change("update", "current", sym("releases/1"), sym("releases/2")),
             dict(before_header="current (n, update)", before="symlink -> releases/1\n",
                  after_header="current (n, update)", after="symlink -> releases/2\n")),
            ("replace, backed up", change("replace", "etc/motd", {"type": "file"}, sym("../shared/motd"),
                                          backup=".links/backups/ID/etc/motd"),
             dict(before_header="etc/motd (n, replace)",
                  before="file (moved to backup .links/backups/ID/etc/motd)\n",
                  after_header="etc/motd (n, replace)", after="symlink -> ../shared/motd\n")),
            ("replace, no backup", change("replace", "d", {"type": "dir"}, sym("x"), reason="backup: false: the dir is deleted"),
             dict(before_header="d (n, replace)", before="dir (deleted: backup is false)\n",
                  after_header="d (n, replace)", after="symlink -> x\n# backup: false: the dir is deleted\n")),
            ("delete", change("delete", "old", sym("x"), MISSING),
             dict(before_header="old (n, delete)", before="symlink -> x\n",
                  after_header="old (n, delete)", after="absent\n")),
            ("delete, giving back what the link displaced",
             dict(change("delete", "etc/motd", sym("../shared/motd"), {"type": "file"}),
                  restore=".links/backups/ID/etc/motd"),
             dict(before_header="etc/motd (n, delete)", before="symlink -> ../shared/motd\n",
                  after_header="etc/motd (n, delete)",
                  after="file (given back from backup .links/backups/ID/etc/motd)\n")),
            ("conflict is left out", change("conflict", "a", {"type": "file"}, sym("x"), reason="in the way"), None),
        ]
        for title, c, want in cases:
            with self.subTest(title):
                got = diff_of([c])
                self.assertEqual(got, [] if want is None else [want])

    def test_order_kept(self):
        got = diff_of([change("create", "a", MISSING, sym("1")), change("noop", "b", sym("2"), sym("2")),
                       change("update", "c", sym("3"), sym("4"))])
        self.assertEqual([d["before_header"].split(" ")[0] for d in got], ["a", "c"])


class ConflictMsg(unittest.TestCase):
    def test_table(self):
        cases = [
            ([dict(dest="etc/motd", name="motd", reason="a regular file is in the way")],
             "1 conflict, nothing was changed on this host:\n  etc/motd (motd): a regular file is in the way"),
            ([dict(dest="a", name="x", reason="r1"), dict(dest="b", name="y", reason="r2")],
             "2 conflicts, nothing was changed on this host:\n  a (x): r1\n  b (y): r2"),
        ]
        for conflicts, want in cases:
            with self.subTest(n=len(conflicts)):
                self.assertEqual(conflict_msg(conflicts), want)


if __name__ == "__main__":
    unittest.main()

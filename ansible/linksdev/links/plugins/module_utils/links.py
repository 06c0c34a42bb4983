# -*- coding: utf-8 -*-
# Shared by linksdev.links.manifest and linksdev.links.manifest_info: find the
# links binary on the host, check that it is new enough, and run it with
# -o json.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

# The oldest release this collection works with. Every feature the modules
# use (plan --out, apply PLANFILE -o json, verify -o json) is older than the
# `links version` command, so a binary that answers `links version -o json`
# with a release at or above this one is new enough.
MIN_VERSION = (0, 1, 0)
MIN_VERSION_TEXT = "v0.1.0"

# The `links version -o json` format this collection reads.
VERSION_FORMAT = 1

# Variable names as the manifest declares them under vars:.
VAR_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")

SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$")
# A Go pseudo-version of a commit with no release tag before it
# (v0.0.0-20260206120000-abcdef123456): a development build.
UNTAGGED = re.compile(r"^v0\.0\.0-(?:\d+\.)?\d{14}-[0-9a-f]{12}(?:\+.*)?$")

INSTALL_HINT = ("install a newer one with the linksdev.links.install role, "
                "or point links_path at one")

COMMON_OPTIONS = dict(
    manifest=dict(type="path", required=True),
    vars=dict(type="dict", default={}),
    links_path=dict(type="path"),
)


def parse_version(text):
    """Returns (major, minor, patch) for a release version, or None for a
    development build ("devel", an untagged pseudo-version)."""
    if text in ("devel", "(devel)", "") or UNTAGGED.match(text):
        return None
    m = SEMVER.match(text)
    if not m:
        raise ValueError(text)
    return tuple(int(x) for x in m.groups())


class Links(object):
    """The links binary on this host, as the modules call it."""

    def __init__(self, module):
        self.module = module
        self.path = self._find()
        self.version = self._check_version()
        self.manifest = self._manifest()
        self.vars = self._vars()

    def _find(self):
        path = self.module.params.get("links_path")
        if path:
            if not os.path.isfile(path) or not os.access(path, os.X_OK):
                self.module.fail_json(
                    msg="links_path %s is not an executable file on this host; "
                        "install links with the linksdev.links.install role, or fix links_path" % path)
            return path
        path = self.module.get_bin_path("links", required=False, opt_dirs=["/usr/local/bin"])
        if not path:
            self.module.fail_json(
                msg="links is not installed on this host (not on PATH nor in /usr/local/bin); "
                    "install it with the linksdev.links.install role, or set links_path")
        return path

    def _check_version(self):
        rc, out, err = self.module.run_command(
            [self.path, "version", "-o", "json"], environ_update=self.env())
        if rc != 0:
            if "unknown command" in err or "No help topic" in err:
                self.module.fail_json(
                    msg="%s is too old for the linksdev.links collection: it has no `links version` "
                        "command, which every release this collection supports (%s and newer) has; %s"
                        % (self.path, MIN_VERSION_TEXT, INSTALL_HINT),
                    rc=rc, stderr=err)
            self.module.fail_json(
                msg="%s version -o json failed (exit %d): %s" % (self.path, rc, err.strip()),
                rc=rc, stderr=err)
        try:
            info = json.loads(out)
        except ValueError:
            self.module.fail_json(
                msg="%s version -o json printed no JSON; is it the links symlink manager? "
                    "(Debian's `links` web browser also installs a /usr/bin/links); set links_path"
                    % self.path, stdout=out)
        if not isinstance(info, dict) or "version" not in info:
            self.module.fail_json(msg="%s version -o json printed no version" % self.path, stdout=out)
        fmt = info.get("format_version")
        if fmt != VERSION_FORMAT:
            self.module.fail_json(
                msg="%s prints version format %r, and this collection reads format %d; "
                    "use a collection as new as the binary" % (self.path, fmt, VERSION_FORMAT),
                links_version=info)
        try:
            have = parse_version(info["version"])
        except ValueError:
            self.module.fail_json(
                msg="%s reports version %r, which is not vMAJOR.MINOR.PATCH" % (self.path, info["version"]),
                links_version=info)
        if have is not None and have < MIN_VERSION:
            self.module.fail_json(
                msg="%s is links %s, too old for the linksdev.links collection (it needs %s or newer); %s"
                    % (self.path, info["version"], MIN_VERSION_TEXT, INSTALL_HINT),
                links_version=info)
        return info

    def _manifest(self):
        path = self.module.params["manifest"]
        if not os.path.isabs(path):
            self.module.fail_json(
                msg="manifest %r is not an absolute path; give the manifest's full path on the host "
                    "(a relative one would depend on the remote user's login folder)" % path)
        return path

    def _vars(self):
        raw = self.module.params.get("vars") or {}
        out = []
        for name in sorted(raw):
            value = raw[name]
            if not VAR_NAME.match(name):
                self.module.fail_json(
                    msg="vars: %r is not a variable name (letters, digits, _ and -, as under vars: in the manifest)" % name)
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, (int, float)):
                value = str(value)
            elif not isinstance(value, str):
                self.module.fail_json(
                    msg="vars: %s must be a string, number or boolean, not %s; links variables are strings"
                        % (name, type(value).__name__))
            out.append("%s=%s" % (name, value))
        return out

    @staticmethod
    def env():
        # No colour codes in errors, and no pager or prompt: the modules run
        # without a terminal, and links never asks without one.
        return {"NO_COLOR": "1", "LC_ALL": "C"}

    def argv(self, *command):
        """links -f MANIFEST -o json --var ... COMMAND..."""
        argv = [self.path, "-f", self.manifest, "-o", "json"]
        for kv in self.vars:
            argv += ["--var", kv]
        return argv + list(command)

    def run(self, *command):
        """Runs a links command with -o json. Returns (rc, data or None,
        stdout, stderr); data is None when stdout is not JSON."""
        rc, out, err = self.module.run_command(self.argv(*command), environ_update=self.env())
        data = None
        if out.strip():
            try:
                data = json.loads(out)
            except ValueError:
                data = None
        return rc, data, out, err


def links_errors(err):
    """The links: lines of a links stderr, without the prefix, as one message."""
    lines = [l[len("links: "):] if l.startswith("links: ") else l for l in err.strip().splitlines()]
    return "\n".join(l for l in lines if l.strip())

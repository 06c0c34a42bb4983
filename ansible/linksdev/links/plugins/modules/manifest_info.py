#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: manifest_info
short_description: Check that the links a manifest declares are in place
version_added: "0.1.0"
extends_documentation_fragment:
  - linksdev.links.links
description:
  - Runs C(links verify -o json) on the host and returns its result as data.
    Every declared link must exist, have the declared link text, and resolve.
  - Never changes anything, and drift does not fail the task; C(ok=false)
    with C(problems) is returned for a later M(ansible.builtin.assert).
  - The task fails only when links cannot verify at all (a bad manifest, a
    missing binary, an unreadable root).
options:
  vars:
    description:
      - Values for variables declared under C(vars:) in the manifest, passed
        as C(--var NAME=VALUE), so that the links verified are those of the
        release the play expects.
    type: dict
    default: {}
  scan:
    description:
      - Also report symlinks under the manifest's root that it does not
        declare (problem C(undeclared)), as C(links verify --scan) does.
    type: bool
    default: false
attributes:
  diff_mode:
    support: none
notes:
  - Needs C(links) v0.1.0 or newer on the host.
seealso:
  - module: linksdev.links.manifest
"""

EXAMPLES = r"""
- name: Verify the release links
  linksdev.links.manifest_info:
    manifest: /srv/app/links.yaml
    vars:
      release: "2026-02-10_1530"
  register: links_state

- name: Every host serves the release
  ansible.builtin.assert:
    that: links_state.ok
    fail_msg: "{{ links_state.problems | map(attribute='detail') | list }}"
"""

RETURN = r"""
ok:
  description: True when every declared link is in place.
  returned: always
  type: bool
problems:
  description:
    - One entry per problem found, with C(name), C(dest), C(problem) (one of
      C(missing), C(not_symlink), C(wrong_target), C(broken), C(loop),
      C(kind_mismatch), C(not_allowed), and C(undeclared) with I(scan)) and
      C(detail).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "live", "dest": "current", "problem": "wrong_target",
            "detail": "current points to releases/2026-02-07_1200, not releases/2026-02-10_1530"}]
links:
  description: How many links the manifest declares.
  returned: always
  type: int
root:
  description: The manifest's root folder on the host.
  returned: always
  type: str
verify:
  description: The whole output of C(links verify -o json).
  returned: always
  type: dict
links_version:
  description: What C(links version -o json) printed on the host.
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.linksdev.links.plugins.module_utils.links import (
    COMMON_OPTIONS, Links, links_errors)


def main():
    spec = dict(COMMON_OPTIONS)
    spec["scan"] = dict(type="bool", default=False)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    links = Links(module)
    command = ["verify", "--scan"] if module.params["scan"] else ["verify"]
    rc, data, out, err = links.run(*command)
    # Exit 2 is drift: data, not a failure. Anything else without the
    # verify JSON means links could not check.
    if rc not in (0, 2) or not isinstance(data, dict) or "ok" not in data:
        module.fail_json(msg=links_errors(err) or "links verify failed with exit %d" % rc,
                         rc=rc, stdout=out, stderr=err, changed=False, links_version=links.version)
    module.exit_json(changed=False, ok=bool(data["ok"]), problems=data.get("problems") or [],
                     links=data.get("links", 0), root=data.get("root", ""), verify=data,
                     links_version=links.version)


if __name__ == "__main__":
    main()

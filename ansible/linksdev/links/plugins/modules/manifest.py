#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: manifest
short_description: Make the symbolic links a links manifest declares
version_added: "0.1.0"
extends_documentation_fragment:
  - linksdev.links.links
description:
  - Runs the C(links) binary installed on the host against a manifest on the
    host, the way C(links plan) and C(links apply) do by hand.
  - A normal run plans once (C(links plan --out FILE)) and, only when the plan
    has changes, applies exactly that saved plan (C(links apply FILE)). If
    anything the plan was made against changes in between, links refuses the
    whole plan and the task fails; nothing is changed.
  - With no changes to make the task reports C(changed=false) and links takes
    no lock and writes no journal entry.
  - In check mode the module runs C(links plan) only, which writes nothing on
    the host, not even the manifest's C(state_dir).
  - A conflict (a file in the way that the manifest does not allow to
    displace, a missing target, a target outside C(allow)) fails the task
    with every conflict in C(msg); nothing is changed on that host.
  - Displaced files and folders go to a backup under C(state_dir), every
    change is journaled, and C(links rollback) undoes an apply; see the
    collection README for a rollback task.
  - Install the binary with the C(linksdev.links.install) role first.
options:
  vars:
    description:
      - Values for variables declared under C(vars:) in the manifest, passed
        as C(--var NAME=VALUE). Numbers and booleans are passed as text.
      - A name the manifest does not declare fails the task.
    type: dict
    default: {}
  lock_timeout:
    description:
      - Seconds to wait for another apply's lock on the same manifest before
        failing. C(0) fails at once if another apply holds it.
    type: int
    default: 0
attributes:
  diff_mode:
    support: full
notes:
  - Needs C(links) v0.1.0 or newer on the host (the module checks
    C(links version -o json) and fails with a clear message on an older one).
  - C(become) works as for any module; the links run as the become user, who
    must be able to write under the manifest's C(root) and in its
    C(state_dir). For a user who cannot, every link is a conflict (C(cannot
    write in state_dir ... permission denied)) and nothing changes.
  - A C(noexec) remote tmp does not matter; the module is run by the host's
    Python, never executed from there, and the plan it saves there is data.
  - With C(--diff), each change is shown as its own before/after pair, with
    the dest as the header.
  - The default callback prints C(msg) on one line; set
    C(ANSIBLE_CALLBACK_RESULT_FORMAT=yaml) to see one conflict a line.
seealso:
  - module: linksdev.links.manifest_info
"""

EXAMPLES = r"""
- name: Make the links the release manifest declares
  linksdev.links.manifest:
    manifest: /srv/app/links.yaml

- name: Switch the live release (review first with --check --diff)
  linksdev.links.manifest:
    manifest: /srv/app/links.yaml
    vars:
      release: "2026-02-10_1530"
    lock_timeout: 30
  register: switch

- name: Show what was changed
  ansible.builtin.debug:
    msg: "apply {{ switch.apply_id }}: {{ switch.summary }}"
  when: switch is changed
"""

RETURN = r"""
changed:
  description: Whether the plan had changes (and, outside check mode, they were applied).
  returned: always
  type: bool
plan:
  description:
    - The plan as C(links plan -o json) prints it (SPEC section 4), with
      C(format_version), C(manifest), C(root), C(changes) (every declared link,
      no-ops included, and every planned delete, sorted by C(dest)), C(summary).
    - After an apply, the apply's output, which adds C(apply_id) and, for a
      change that failed, C(error).
  returned: when links could plan
  type: dict
summary:
  description: Count of each action in the plan.
  returned: when links could plan
  type: dict
  sample: {"create": 0, "update": 1, "replace": 0, "delete": 0, "noop": 12, "conflict": 0}
apply_id:
  description: The id of the apply, for C(links log ID) and C(links rollback ID).
  returned: when changes were applied
  type: str
  sample: 20260210T153000Z-4f2a1c
conflicts:
  description: Each conflict as C(dest), C(name) and C(reason).
  returned: when the plan has conflicts
  type: list
  elements: dict
diff:
  description:
    - One C(before_header), C(before), C(after_header), C(after) per change
      (C(symlink -> TEXT), C(absent), C(file (moved to backup PATH)),
      C(file (given back from backup PATH)).
  returned: in diff mode, when there are changes
  type: list
  elements: dict
links_version:
  description: What C(links version -o json) printed on the host.
  returned: always
  type: dict
  sample: {"format_version": 1, "version": "v0.1.0", "revision": "", "go": "go1.26.0", "platform": "linux/amd64"}
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.linksdev.links.plugins.module_utils.links import (
    COMMON_OPTIONS, Links, links_errors)

CHANGING = ("create", "update", "replace", "delete")


def describe(state, backup="", reason="", displaced=False):
    """One side of a change, as its diff shows it."""
    kind = state.get("type", "missing")
    if kind == "missing":
        text = "absent"
    elif kind == "symlink":
        text = "symlink -> %s" % state.get("link", "")
    else:
        text = kind
        if displaced:
            text += " (moved to backup %s)" % backup if backup else " (deleted: backup is false)"
    return text + "\n"


def diff_of(changes):
    out = []
    for c in changes:
        action = c.get("action")
        if action not in CHANGING:
            continue
        header = c.get("dest", "")
        if c.get("name"):
            header += " (%s, %s)" % (c["name"], action)
        after = describe(c.get("after", {}))
        if c.get("restore"):
            # The entry the link displaced is given back from its backup.
            after = "%s (given back from backup %s)\n" % (after.rstrip("\n"), c["restore"])
        if c.get("reason"):
            after += "# %s\n" % c["reason"]
        out.append(dict(
            before_header=header,
            before=describe(c.get("before", {}), c.get("backup", ""), displaced=(action == "replace")),
            after_header=header,
            after=after,
        ))
    return out


def conflict_msg(conflicts):
    lines = ["%d conflict%s, nothing was changed on this host:" % (
        len(conflicts), "" if len(conflicts) == 1 else "s")]
    for c in conflicts:
        lines.append("  %s (%s): %s" % (c["dest"], c["name"], c["reason"]))
    return "\n".join(lines)


def main():
    spec = dict(COMMON_OPTIONS)
    spec["lock_timeout"] = dict(type="int", default=0)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    if module.params["lock_timeout"] < 0:
        module.fail_json(msg="lock_timeout must be 0 or more seconds, not %d" % module.params["lock_timeout"])

    links = Links(module)
    result = dict(changed=False, links_version=links.version)

    # Check mode: plan only, nothing written. A normal run saves the plan so
    # that apply makes exactly what was planned (and diffed) or nothing.
    planfile = None
    if module.check_mode:
        rc, plan, out, err = links.run("plan")
    else:
        fd, planfile = tempfile.mkstemp(prefix="links-plan-", suffix=".json", dir=module.tmpdir)
        os.close(fd)
        rc, plan, out, err = links.run("plan", "--out", planfile)

    if not isinstance(plan, dict) or "summary" not in plan:
        module.fail_json(msg=links_errors(err) or "links plan failed with exit %d and no output" % rc,
                         rc=rc, stderr=err, stdout=out, **result)
    summary = plan["summary"]
    result.update(plan=plan, summary=summary)

    conflicts = [dict(dest=c.get("dest"), name=c.get("name"), reason=c.get("reason"))
                 for c in plan.get("changes", []) if c.get("action") == "conflict"]
    if conflicts or summary.get("conflict", 0) > 0:
        result["conflicts"] = conflicts
        module.fail_json(msg=conflict_msg(conflicts), rc=rc, **result)
    if rc != 0:
        module.fail_json(msg=links_errors(err) or "links plan failed with exit %d" % rc, rc=rc, stderr=err, **result)
    for w in plan.get("warnings") or []:
        module.warn("links: %s" % w)

    changed = any(summary.get(a, 0) > 0 for a in CHANGING)
    result["changed"] = changed
    if module._diff and changed:
        result["diff"] = diff_of(plan.get("changes", []))
    if module.check_mode or not changed:
        module.exit_json(**result)

    lock = "%ds" % module.params["lock_timeout"]
    rc, applied, out, err = links.run("apply", planfile, "--lock-timeout", lock)
    if isinstance(applied, dict) and "changes" in applied:
        result["plan"] = applied
        if applied.get("apply_id"):
            result["apply_id"] = applied["apply_id"]
        failed = [c for c in applied["changes"] if c.get("error")]
        if failed or rc != 0:
            # Apply ran: what did not fail was made, so the host changed.
            result["changed"] = any(c.get("action") in CHANGING and not c.get("error")
                                    for c in applied["changes"])
            apply_id = applied.get("apply_id", "")
            why = links_errors(err).splitlines()
            msg = ["links apply %s failed%s; run the task again to converge (links log %s shows what was done)" % (
                apply_id, (": " + why[-1]) if why else "", apply_id)]
            msg += ["  %s (%s): %s" % (c.get("dest"), c.get("name"), c["error"]) for c in failed]
            module.fail_json(msg="\n".join(msg), rc=rc, stderr=err, **result)
    elif rc != 0:
        # Refused before changing anything (lock held, stale plan, ...).
        result["changed"] = False
        result.pop("diff", None)
        module.fail_json(msg=links_errors(err) or "links apply failed with exit %d" % rc,
                         rc=rc, stderr=err, **result)
    else:
        module.fail_json(msg="links apply printed no JSON", stdout=out, stderr=err, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

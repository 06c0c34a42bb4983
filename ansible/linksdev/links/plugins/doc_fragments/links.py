# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """What every module of the collection shares, documented once: the
    options of COMMON_OPTIONS (module_utils/links.py) but vars, whose text
    differs; full check mode support; the authors."""

    DOCUMENTATION = r"""
options:
  manifest:
    description:
      - Absolute path of the manifest (C(links.yaml)) on the host.
    type: path
    required: true
  links_path:
    description:
      - Path of the C(links) binary on the host.
      - By default C(links) is looked up on C(PATH), then in C(/usr/local/bin).
    type: path
attributes:
  check_mode:
    support: full
author:
  - links developers
"""

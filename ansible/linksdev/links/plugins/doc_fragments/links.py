# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The options every module of the collection has (COMMON_OPTIONS in
    module_utils/links.py), documented once."""

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
"""

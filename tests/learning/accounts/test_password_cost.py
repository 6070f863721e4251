"""The product hashes passwords at RFC 9106's cost, whatever the test suite uses to stay fast.

The suite swaps in a minimum-cost hasher (tests/conftest.py), so the product's own parameters are read in a fresh
interpreter that imports the module as a deployment does.
"""

from __future__ import annotations

import json
import subprocess
import sys

from argon2 import Type, extract_parameters

from app import ROOT
from learning.accounts.services import hash_password

PROBE = """
import json
from learning.accounts.services import hash_password
print(json.dumps(hash_password("a password of a learner")))
"""


def test_a_deployed_process_hashes_with_argon2id_at_rfc_9106_cost() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    parameters = extract_parameters(json.loads(out.stdout))
    assert parameters.type is Type.ID
    assert parameters.time_cost >= 3  # RFC 9106 §4, second recommended option: t=3, m=64 MiB
    assert parameters.memory_cost >= 64 * 1024
    assert parameters.salt_len >= 16


def test_the_suite_itself_hashes_cheaply_with_the_same_algorithm() -> None:
    """What the swap changes is the cost, not the algorithm: the test accounts are argon2id too."""
    parameters = extract_parameters(hash_password("a password of a learner"))
    assert parameters.type is Type.ID
    assert parameters.memory_cost < 64 * 1024

"""Old path of the fake-model bot: runs ``python -m tests.harness.fake_bot`` (needs the repo
on PYTHONPATH, as before)."""

import runpy

runpy.run_module("tests.harness.fake_bot", run_name="__main__", alter_sys=True)

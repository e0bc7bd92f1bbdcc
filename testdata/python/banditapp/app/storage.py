import random
import tempfile


def scratch_path(name):
    return "/tmp/" + name


def token():
    return random.random()


def legacy_digest(data):
    import hashlib
    return hashlib.md5(data).hexdigest()


def make_temp():
    return tempfile.mktemp()


def spawn(cmd):
    import subprocess
    return subprocess.Popen(
        cmd,
        shell=True,
    )

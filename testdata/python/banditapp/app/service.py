import hashlib
import pickle
import subprocess

import yaml

DB_PASSWORD = "hunter2"


def run(cmd):
    return subprocess.call(cmd, shell=True)


def load_session(blob):
    return pickle.loads(blob)


def compute(expr):
    return eval(expr)


def fingerprint(data):
    return hashlib.new("md5", data).hexdigest()


def read_config(text):
    return yaml.load(text)


def check_admin(user):
    assert user.is_admin, "admins only"
    return True


def trusted(expr):
    return eval(expr)  # nosec

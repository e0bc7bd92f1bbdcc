import subprocess

import jinja2
import requests
import yaml


def fetch_template(url):
    return requests.get(url, verify=False).text


def render(source, context):
    env = jinja2.Environment(autoescape=False)
    return env.from_string(source).render(**context)


def load_settings(text):
    return yaml.load(text)


def archive(path):
    return subprocess.check_output("tar czf report.tgz " + path, shell=True)

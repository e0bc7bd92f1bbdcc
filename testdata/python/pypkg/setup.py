from setuptools import Extension, setup

# The metadata lives in pyproject.toml; setup.py only declares the C
# extension, which setuptools cannot take from pyproject.toml.
setup(
    ext_modules=[
        Extension(
            "examplepkg._speedups",
            sources=["src/examplepkg/_speedups.c"],
        ),
    ],
)

"""The package list for setuptools (the rest is in pyproject.toml).

Every package under helpdesk/, plus the top-level resources/ folder, shipped inside the wheel as
the package ``helpdesk.resources`` (package-dir in pyproject.toml) with all its subfolders.
"""

from setuptools import find_namespace_packages, find_packages, setup

resources = ["helpdesk.resources"] + [
    f"helpdesk.resources.{name}"
    for name in find_namespace_packages(where="resources", exclude=["*__pycache__*"])
]
setup(packages=[*find_packages(include=["helpdesk", "helpdesk.*"]), *resources])

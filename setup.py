"""ovseg: dense open-vocabulary perception on OpenMMLab (see README.md)."""
from setuptools import find_packages, setup

setup(
    name='ovseg',
    version='0.1.0',
    description='Dense open-vocabulary perception toolkit on OpenMMLab',
    packages=find_packages(include=['ovseg', 'ovseg.*']),
    package_data={'ovseg': ['**/*.json', '**/*.txt']},
    python_requires='>=3.10',
)

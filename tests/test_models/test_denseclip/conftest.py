"""Fixtures of the DenseCLIP tests (helpers live in ``denseclip_utils``)."""
import pytest


@pytest.fixture(params=['rn', 'vit'])
def arch(request) -> str:
    return request.param

import pytest

from eligibility import demo


@pytest.fixture
def catalog(regions):
    demo.seed()

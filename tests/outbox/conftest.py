import pytest

from tests.reservations.factories import ProcedureFactory, add_clerk, add_rule


@pytest.fixture
def procedure():
    """A procedure with one document rule and one qualified clerk."""
    procedure = ProcedureFactory()
    add_rule(procedure, "本人確認書類")
    add_clerk(procedure)
    return procedure

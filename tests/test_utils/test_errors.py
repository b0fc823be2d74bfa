"""ovseg.utils.errors: input errors are the ones the command-line entry points print as a line."""
import pytest

from ovseg.apis.cli import run_cli
from ovseg.models.clip.vocabulary import VocabularyError
from ovseg.utils.errors import InputError


def test_vocabulary_errors_are_input_errors():
    assert issubclass(VocabularyError, InputError)


def test_an_input_error_leaves_the_cli_as_one_line(capsys):
    def main() -> None:
        raise InputError('bad --vocab file classes.txt')

    with pytest.raises(SystemExit) as info:
        run_cli(main)
    assert info.value.code != 0
    assert capsys.readouterr().err.strip().splitlines() == ['error: bad --vocab file classes.txt']

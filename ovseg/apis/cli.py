"""How every ovseg entry point (``tools/``, ``demo/``) ends on an expected error.

An expected error is bad input the user can fix: a missing or unreadable file, a file that is
not a checkpoint, a vocabulary that breaks the rule or does not fit the dataset. The entry
point prints it as one line, ``error: <message>``, on stderr and exits with status 1. Any
other exception is a bug and keeps its full traceback.

Usage, at the bottom of a script::

    if __name__ == '__main__':
        run_cli(main)
"""
import re
import sys
import warnings
from typing import Any, Callable, Tuple, Type

import cv2

from ovseg.compat.checkpoint import CheckpointError
from ovseg.utils.errors import InputError

#: What an entry point reports in one line. Kept narrow on purpose: our own bad-input
#: classes (``InputError`` subclasses such as ``VocabularyError`` and ``ImageReadError``,
#: ``CheckpointError`` such as ``UnsafeCheckpointError``) and the OS errors of a path the
#: user gave (mmengine and our loaders raise ``FileNotFoundError`` naming the path).
EXPECTED_ERRORS: Tuple[Type[BaseException], ...] = (
    InputError, CheckpointError, FileNotFoundError, IsADirectoryError, NotADirectoryError)

# torch re-raises an exception of a DataLoader worker in the main process as the same type
# with the message "Caught <Type> in DataLoader worker process <n>.\nOriginal Traceback ...";
# its last line is "<module.Type>: <original message>".
_WORKER_PREFIX = re.compile(r'^Caught \w+ in DataLoader worker process \d+\.')
_TYPE_PREFIX = re.compile(r'^[\w.]+(Error|Exception): ')

# mmseg warnings that every run prints and no user can act on: its SegVisualizationHook with
# draw=False (the default runtime), its own build_loss deprecation and CrossEntropyLoss's
# avg_non_ignore default, both hit when it builds a decode head.
_BENIGN_WARNINGS = (r'The draw is False, it means that the hook for visualization',
                    r'``build_loss`` would be deprecated soon',
                    r'Default ``avg_non_ignore`` is False')


def error_line(err: BaseException) -> str:
    """The one line an entry point prints for an expected error (without ``error: ``)."""
    if isinstance(err, OSError) and err.filename is not None and err.strerror:
        return f'{err.strerror}: {err.filename}'
    message = str(err)
    if _WORKER_PREFIX.match(message):
        lines = [line for line in message.splitlines() if line.strip()]
        message = _TYPE_PREFIX.sub('', lines[-1].strip())
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return ' '.join(lines) or type(err).__name__


def run_cli(main: Callable[[], Any]) -> None:
    """Run an entry point's ``main()``; expected errors end it with one line and status 1.

    Args:
        main (Callable): the script's ``main``, called without arguments.
    """
    for message in _BENIGN_WARNINGS:
        warnings.filterwarnings('ignore', message=message)
    # OpenCV logs its own warning for an undecodable image, which ImageReadError reports
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    try:
        main()
    except EXPECTED_ERRORS as err:
        print(f'error: {error_line(err)}', file=sys.stderr)
        sys.exit(1)

"""How every ovseg entry point (``tools/``, ``demo/``) ends on an expected error.

An expected error is bad input the user can fix: a missing or unreadable file, a file that is
not a checkpoint, a vocabulary that breaks the rule or does not fit the dataset. The entry
point prints it as one line, ``error: <message>``, on stderr and exits with status 1. Any
other exception is a bug and keeps its full traceback.

Usage, at the bottom of a script::

    if __name__ == '__main__':
        run_cli(main)

The flags the entry points share (``config``, ``--work-dir``, ``--cfg-options``, ``--launcher``,
``--local_rank``, ``--allow-unsafe-checkpoint``) are added by :func:`add_config_arguments` and
:func:`add_unsafe_checkpoint_argument` and take effect in :func:`parse_tool_args`.
"""
import argparse
import os
import re
import sys
import warnings
from typing import Any, Callable, Optional, Sequence, Tuple, Type

import cv2
from mmengine.config import DictAction

from ovseg.compat.checkpoint import CheckpointError
from ovseg.compat.checkpoint_errors import ALLOW_UNSAFE_ENV
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


def add_config_arguments(parser: argparse.ArgumentParser, *, config_help: str = 'config file path',
                         work_dir_help: Optional[str] = None,
                         cfg_options_help: Optional[str] = 'override config entries',
                         launcher: bool = False) -> argparse.ArgumentParser:
    """Add the config flags of an entry point: ``config``, ``--cfg-options`` (mmengine's
    ``DictAction``) and, when asked, ``--work-dir`` and ``--launcher`` with ``--local_rank``.

    Args:
        parser (ArgumentParser): the entry point's parser.
        config_help (str): help of the ``config`` positional. Defaults to 'config file path'.
        work_dir_help (str, optional): help of ``--work-dir``; None adds no ``--work-dir``.
        cfg_options_help (str, optional): help of ``--cfg-options``.
        launcher (bool): add ``--launcher`` (none/pytorch/slurm/mpi) and ``--local_rank``
            (which :func:`parse_tool_args` exports as ``LOCAL_RANK``). Defaults to False.

    Returns:
        ArgumentParser: ``parser``.
    """
    parser.add_argument('config', help=config_help)
    if work_dir_help is not None:
        parser.add_argument('--work-dir', help=work_dir_help)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help=cfg_options_help)
    if launcher:
        parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                            default='none', help='job launcher')
        parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser


def add_unsafe_checkpoint_argument(parser: argparse.ArgumentParser, *,
                                   help: str = 'load a trusted checkpoint that needs code '
                                   'execution to unpickle') -> argparse.ArgumentParser:
    """Add ``--allow-unsafe-checkpoint``; :func:`parse_tool_args` turns it into
    ``OVSEG_ALLOW_UNSAFE_CHECKPOINTS=1`` for this process (see :mod:`ovseg.compat.checkpoint`).

    Returns:
        ArgumentParser: ``parser``.
    """
    parser.add_argument('--allow-unsafe-checkpoint', action='store_true', help=help)
    return parser


def parse_tool_args(parser: argparse.ArgumentParser,
                    argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse ``argv`` (default ``sys.argv[1:]``) and apply the shared flags to the environment.

    ``--local_rank`` sets ``LOCAL_RANK`` unless the launcher already did;
    ``--allow-unsafe-checkpoint`` sets ``OVSEG_ALLOW_UNSAFE_CHECKPOINTS=1``.
    """
    args = parser.parse_args(argv)
    if getattr(args, 'local_rank', None) is not None:
        os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    if getattr(args, 'allow_unsafe_checkpoint', False):
        os.environ[ALLOW_UNSAFE_ENV] = '1'
    return args

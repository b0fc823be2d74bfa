"""What went wrong reading a checkpoint file, as exception types the CLI prints as one line.

``torch.load(weights_only=True)`` reports every unreadable file as some low-level error
(``KeyError: 101`` for a text file, ``Unsupported operand 80`` for a PNG, an internal miniz
error for a cut-off zip) and, for a refused global, advises re-running with
``weights_only=False``. :func:`describe_load_failure` looks at the file itself and says what it
is instead; only a file whose sole problem is a refused global gets the opt-in suggestion.
"""
import os
import pickle
import re
from typing import Any, Optional, Tuple

ALLOW_UNSAFE_ENV = 'OVSEG_ALLOW_UNSAFE_CHECKPOINTS'

_ZIP_MAGIC = b'PK\x03\x04'
_IMAGE_MAGICS = ((b'\x89PNG', 'a PNG image'), (b'\xff\xd8\xff', 'a JPEG image'),
                 (b'GIF8', 'a GIF image'), (b'BM', 'a BMP image'),
                 (b'II*\x00', 'a TIFF image'), (b'MM\x00*', 'a TIFF image'))
# the name torch's weights-only unpickler reports for a refused global or reduce
_GLOBAL = re.compile(r'GLOBAL ([\w.]+)')
_REFUSED_CALL = re.compile(r'(\w+\(.*\)) is not allowed in a checkpoint')


class CheckpointError(RuntimeError):
    """A checkpoint could not be used; the message names the file and the reason."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """The checkpoint path does not exist (also a :class:`FileNotFoundError`)."""


class NotACheckpointError(CheckpointError):
    """The file is not a checkpoint: empty, text, an image, other bytes, or a corrupt pickle."""


class TruncatedCheckpointError(CheckpointError):
    """The file starts like a checkpoint but is cut short (an interrupted save or copy)."""


class UnsafeCheckpointError(CheckpointError):
    """The checkpoint needs a global (code) the weights-only loader refuses.

    Attributes:
        refused (str): the refused global, e.g. ``'posix.system'``.
    """

    def __init__(self, message: str, *, refused: str = '') -> None:
        super().__init__(message)
        self.refused = refused


def _file_name(file: Any) -> str:
    if isinstance(file, (str, os.PathLike)):
        return os.fspath(file)
    return str(getattr(file, 'name', '<buffer>'))


def _head(file: Any, size: int = 64) -> Optional[bytes]:
    """The first ``size`` bytes of a path or seekable buffer (None if unreadable)."""
    try:
        if isinstance(file, (str, os.PathLike)):
            with open(file, 'rb') as f:
                return f.read(size)
        position = file.tell()
        head = file.read(size)
        file.seek(position)
        return head
    except (OSError, AttributeError, ValueError):
        return None


def _zip_is_complete(file: Any) -> bool:
    """Whether a zip file has its end-of-central-directory record (a cut-off one has not)."""
    try:
        if isinstance(file, (str, os.PathLike)):
            with open(file, 'rb') as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 66_000))
                return b'PK\x05\x06' in f.read()
        position = file.tell()
        file.seek(0, os.SEEK_END)
        file.seek(max(0, file.tell() - 66_000))
        tail = file.read()
        file.seek(position)
        return b'PK\x05\x06' in tail
    except (OSError, AttributeError, ValueError):
        return True


def _kind_of_bytes(head: bytes) -> str:
    """A short description of what a non-checkpoint file is."""
    for magic, kind in _IMAGE_MAGICS:
        if head.startswith(magic):
            return kind
    if head[:4] == b'RIFF' and head[8:12] == b'WEBP':
        return 'a WebP image'
    try:
        text = head.decode('utf-8')
    except UnicodeDecodeError:
        return 'neither a torch zip archive nor a pickle (unrecognised binary data)'
    if all(ch.isprintable() or ch in '\t\r\n' for ch in text):
        return 'a text file'
    return 'neither a torch zip archive nor a pickle (unrecognised data)'


def _looks_like_pickle(head: bytes) -> bool:
    """Legacy ``torch.save`` (and plain pickles) start with the PROTO opcode, protocol 2-5."""
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def refused_global(err: BaseException) -> Optional[str]:
    """The global (or call) torch's weights-only unpickler refused, if that was the failure."""
    text = str(err)
    match = _GLOBAL.search(text) or _REFUSED_CALL.search(text)
    return match.group(1) if match else None


def describe_load_failure(file: Any, err: BaseException) -> Tuple[CheckpointError, Optional[str]]:
    """The :class:`CheckpointError` for a failed weights-only ``torch.load`` of ``file``.

    Returns:
        tuple[CheckpointError, str | None]: the error to raise, and the refused global when
        the file is otherwise a readable checkpoint (only then may a trusted-file opt-in help).
    """
    name = _file_name(file)
    if isinstance(file, (str, os.PathLike)) and not os.path.isfile(file):
        return CheckpointNotFoundError(f'Checkpoint file {name} does not exist.'), None
    head = _head(file)
    if head is None:
        return CheckpointError(f'Checkpoint file {name} could not be read ({err}).'), None
    if head == b'':
        return NotACheckpointError(f'{name} is not a checkpoint: it is an empty file.'), None
    refused = refused_global(err) if isinstance(err, pickle.UnpicklingError) else None
    if refused:
        return UnsafeCheckpointError(
            f'Refused to load checkpoint {name}: it needs {refused}, which the weights-only '
            f'loader does not allow (unpickling it would need code execution). If you '
            f'trust this file, '
            f'set {ALLOW_UNSAFE_ENV}=1 (or pass --allow-unsafe-checkpoint to the ovseg tools).',
            refused=refused), refused
    if head.startswith(_ZIP_MAGIC):
        if not _zip_is_complete(file):
            return TruncatedCheckpointError(
                f'{name} is a truncated checkpoint: its zip archive is cut short (an '
                f'interrupted save or copy?). Save or copy it again.'), None
        return NotACheckpointError(f'{name} is a zip archive but not a torch checkpoint '
                                   f'({_reason(err)}).'), None
    if _looks_like_pickle(head):
        if isinstance(err, EOFError) or re.search('truncated|unexpected EOF', str(err), re.I):
            return TruncatedCheckpointError(
                f'{name} is a truncated checkpoint: its pickle ends early (an interrupted '
                f'save or copy?). Save or copy it again.'), None
        return NotACheckpointError(f'{name} is a corrupt checkpoint: its pickle could not be '
                                   f'read ({_reason(err)}).'), None
    return NotACheckpointError(f'{name} is not a checkpoint: it is {_kind_of_bytes(head)}.'), None


def _reason(err: BaseException) -> str:
    """The informative line of a torch loading error, without torch's weights_only advice."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    lines = [line for line in lines if 'weights_only' not in line
             and not line.startswith('Check the documentation')]
    reason = lines[-1] if lines else type(err).__name__
    return reason.split('WeightsUnpickler error:', 1)[-1].strip() or type(err).__name__

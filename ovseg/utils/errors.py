"""The base class of errors caused by input the user can fix (files, arguments, vocabularies).

Entry points (``tools/``, ``demo/``) print these as one ``error: <message>`` line instead of a
traceback (:func:`ovseg.apis.cli.run_cli`); the message names the file, key or argument.
Subclasses live next to the code that raises them, e.g.
:class:`ovseg.models.clip.vocabulary.VocabularyError`.
"""


class InputError(Exception):
    """Bad user input: a file, argument or config value that the user can fix."""

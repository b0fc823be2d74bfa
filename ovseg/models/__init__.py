"""ovseg models; importing registers them (``custom_imports=['ovseg.models']``)."""
from . import clip  # noqa: F401
from . import denseclip  # noqa: F401
from . import pretraining  # noqa: F401
from . import mask_adapted  # noqa: F401
from . import proposals  # noqa: F401
from . import attributes  # noqa: F401
from . import text_retrieval  # noqa: F401

"""All SDK exceptions. `StocksBlitzError` is the base; each API error code has its own class."""

from ._base import *  # noqa: F401,F403
from ._base import StocksBlitzError, error_from_response, exception_for_code  # noqa: F401
from .alerts import *  # noqa: F401,F403
from .broker import *  # noqa: F401,F403
from .completion import *  # noqa: F401,F403
from .housekeeping import *  # noqa: F401,F403
from .margin import *  # noqa: F401,F403
from .market import *  # noqa: F401,F403
from .orders import *  # noqa: F401,F403
from .portfolio import *  # noqa: F401,F403
from .risk import *  # noqa: F401,F403
from .risk_monitor import *  # noqa: F401,F403

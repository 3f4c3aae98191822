"""The action server's entry point: import exactly the modules that define Rasa actions.

`rasa run actions --actions actions.registry` loads this module only, so the
server does not walk (and execute) every module of the package — CLIs,
benchmarks and migration scripts stay out of the action server.
"""
from actions.booking import actions as booking_actions  # noqa: F401
from actions.catalogue import actions as catalogue_actions  # noqa: F401
from actions.continuation import actions as continuation_actions  # noqa: F401
from actions.core import actions as core_actions  # noqa: F401
from actions.guides import actions as guides_actions  # noqa: F401
from actions.handoff import actions as handoff_actions  # noqa: F401
from actions.privacy import actions as privacy_actions  # noqa: F401
